"""The repo-owned solc shim answers like native solc for the calls py-solc-x, ape and slither make."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import solcx

ROOT = Path(__file__).resolve().parent.parent
SHIM = ROOT / "tools" / "solc"
SOURCE = "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Answer { function get() external pure returns (uint256) { return 42; } }\n"


def _solcjs_version() -> str:
    out = subprocess.run(
        ["node", "-e", "process.stdout.write(require('solc').version())"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return out.replace(".Emscripten.clang", "")


def test_version_matches_the_npm_compiler_and_parses_for_py_solc_x():
    out = subprocess.run([str(SHIM), "--version"], capture_output=True, text=True, check=True).stdout
    assert f"Version: {_solcjs_version()}.Linux.g++" in out
    assert str(solcx.wrapper.get_solc_version(SHIM)) == "0.8.37"


def test_standard_json_compiles_from_stdin():
    request = {
        "language": "Solidity",
        "sources": {"Answer.sol": {"content": SOURCE}},
        "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
    }
    out = subprocess.run([str(SHIM), "--standard-json"], input=json.dumps(request), capture_output=True,
                         text=True, check=True).stdout
    answer = json.loads(out)["contracts"]["Answer.sol"]["Answer"]
    assert answer["abi"][0]["name"] == "get"
    assert len(answer["evm"]["bytecode"]["object"]) > 100


def test_standard_json_output_over_64_kib_is_not_truncated():
    functions = "".join(f"function f{i}(uint256 a) external pure returns (uint256) {{ return a * {i}; }}\n"
                        for i in range(120))
    big = f"// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Big {{\n{functions}}}\n"
    request = {
        "language": "Solidity",
        "sources": {"Big.sol": {"content": big}},
        "settings": {"outputSelection": {"*": {"*": ["*"], "": ["ast"]}}},
    }
    out = subprocess.run([str(SHIM), "--standard-json"], input=json.dumps(request), capture_output=True,
                         text=True, check=True).stdout
    assert len(out) > 65_536
    json.loads(out)


def test_combined_json_with_remappings_and_imports(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Base.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Base { uint256 public x = 1; }\n")
    (tmp_path / "Main.sol").write_text(
        '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\nimport "dep/Base.sol";\ncontract Main is Base {}\n')
    out = subprocess.run(
        [str(SHIM), "dep/=lib/", "--combined-json", "abi,bin,bin-runtime,hashes,ast", "--allow-paths", ".",
         "Main.sol"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout
    result = json.loads(out)
    assert result["contracts"]["Main.sol:Main"]["hashes"] == {"x()": "0c55699c"}
    assert result["contracts"]["Main.sol:Main"]["bin"]
    assert set(result["sources"]) == {"Main.sol", "lib/Base.sol"}


def test_compile_error_exits_nonzero_with_message(tmp_path):
    (tmp_path / "Bad.sol").write_text("pragma solidity ^0.8.0; contract Bad { function f( }")
    proc = subprocess.run([str(SHIM), "--combined-json", "abi", "Bad.sol"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode != 0
    assert "ParserError" in proc.stderr
