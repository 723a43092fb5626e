"""The OpenZeppelin 5.x code the contracts run, mirrored with its checks in its order and its errors:
`Math.mulDiv` (`math`), `SafeCast` (`safe_cast`), the `ERC20` ledger (`erc20`), `ERC4626` share
accounting (`erc4626`), `Ownable2Step` (`ownable`) and `Pausable` (`pausable`)."""
