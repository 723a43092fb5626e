"""The pool's abstract bases, one module each as in `contracts/base/`: `PoolStorage` (every storage
variable, and the model's journal of them), `PoolParameters`, `OracleReader`, `ReserveBook`,
`ReserveVault`, `PoolAutomation`. `levtoken.model.pool.PoolModel` composes them."""
