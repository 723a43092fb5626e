// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {AutomationCompatibleInterface} from
    "@chainlink/contracts/src/v0.8/automation/interfaces/AutomationCompatibleInterface.sol";

import {IReservePool} from "./interfaces/IReservePool.sol";
import {SeriesMath} from "./libraries/SeriesMath.sol";
import {OraclePrice} from "./libraries/OraclePrice.sol";
import {RebalancePolicy} from "./libraries/RebalancePolicy.sol";
import {LeveragedTokenDeployer} from "./LeveragedTokenDeployer.sol";

/// @title ReservePool
/// @notice Counterparty of every leveraged token series of one (settlement asset, oracle) pair, and an
///         ERC-4626 vault for the liquidity providers whose capital is the reserve (SPEC section 4).
///         Holds every asset of every series; keeps each series' state (equity, exposure, mark price) and
///         settles it at oracle prices on every mint, redeem and rebalance.
/// @dev Reserve R = poolAssets - liabilities, liabilities = sum of the series' equities at the mark price.
///      LP `totalAssets()` = max(0, R). The pool counts the assets it was given (`poolAssets`), never its
///      balance, so a direct transfer changes nothing.
contract ReservePool is
    ERC4626,
    Ownable2Step,
    Pausable,
    ReentrancyGuardTransient,
    IReservePool,
    AutomationCompatibleInterface
{
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 private constant WAD = 1e18;

    /// @notice Most series one pool backs (bounds the liabilities loop of every operation).
    uint256 public constant MAX_SERIES = 8;
    /// @notice Highest allowed max leverage (10x).
    uint256 public constant MAX_LEVERAGE = 10e18;
    /// @notice Highest mint or redeem fee (1%).
    uint256 public constant MAX_TRADE_FEE = 0.01e18;
    /// @notice Highest rebalance spread (1%).
    uint256 public constant MAX_SPREAD = 0.01e18;
    /// @notice Highest streaming fee (10% a year).
    uint256 public constant MAX_STREAMING_FEE = 0.1e18;
    /// @notice Fallback interval bounds (0 disables the trigger).
    uint256 public constant MIN_FALLBACK = 1 hours;
    uint256 public constant MAX_FALLBACK = 7 days;
    /// @notice Floor ratio bounds (1%..100% of liabilities).
    uint256 public constant MIN_FLOOR_RATIO = 0.01e18;
    uint256 public constant MAX_FLOOR_RATIO = 1e18;
    /// @notice Oracle max price age bounds.
    uint256 public constant MIN_PRICE_AGE = 1 minutes;
    uint256 public constant MAX_PRICE_AGE = 2 days;
    /// @notice Health report interval bounds.
    uint256 public constant MIN_HEALTH_INTERVAL = 5 minutes;
    uint256 public constant MAX_HEALTH_INTERVAL = 1 days;
    /// @notice Initial NAV per token bounds (WAD).
    uint256 public constant MIN_INITIAL_NAV = 1e15;
    uint256 public constant MAX_INITIAL_NAV = 1e24;
    /// @notice Keeper reward bounds, WAD value (per rebalance, per day).
    uint256 public constant MAX_KEEPER_REWARD = 1_000e18;
    uint256 public constant MAX_KEEPER_REWARD_DAILY = 100_000e18;

    /// @dev One series. Slots 0-1 are read by every valuation; 2-3 by rebalances and fees. Series live in a
    ///      fixed array so the liabilities loop reads two slots per series and no address.
    struct Series {
        // slot 0
        uint112 equity; // E0, WAD
        uint112 exposure; // x, WAD units of the underlying
        uint32 settledAt;
        // slot 1
        uint128 markPrice; // P0, WAD
        uint64 streamingFee; // WAD per 365 days
        uint40 lastRebalance;
        bool isLong;
        bool knockedOut;
        // slot 2: what every rebalance reads (a Drift rebalance reads no other policy slot)
        uint64 targetLeverage;
        uint64 minLeverage;
        uint64 maxLeverage;
        uint64 spread;
        // slot 3: trade fees and the time triggers
        uint64 mintFee;
        uint64 redeemFee;
        uint32 fallbackInterval;
        uint24 scheduleOffset; // reserved: daily Scheduled trigger (later issue)
        bool scheduled; // reserved
        // slot 4: read only on a first mint, by views and by keepers' checks
        address token;
        uint96 initialNav;
        // slot 5: reserved for the hidden target commitment (later issue)
        bytes32 targetCommitment;
    }

    /// @notice The price feed (Chainlink AggregatorV3Interface).
    AggregatorV3Interface public immutable oracle;
    uint8 private immutable _oracleDecimals;
    uint256 private immutable _assetScale; // 10**(18 - asset decimals): asset units -> WAD
    LeveragedTokenDeployer private immutable _deployer;

    Series[MAX_SERIES] private _book;
    mapping(address token => uint256) private _position; // index in _book + 1; 0 = not a series

    // hot slot: read and written by every operation
    uint128 private _poolAssets; // asset units
    uint8 private _seriesCount;

    /// @notice Floor as a fraction of liabilities (WAD).
    uint64 public floorRatio;
    /// @notice Oracle answers older than this (seconds) are stale.
    uint32 public maxPriceAge;
    /// @notice Minimum seconds between two `reportHealth` calls.
    uint32 public healthInterval;
    /// @notice Timestamp of the last health report (0 = never).
    uint40 public lastHealthReport;
    /// @notice Whether the reserve was below the floor at the last state change.
    bool public floorBreached;
    /// @notice Flat reward per successful rebalance, asset units (0 = none).
    uint80 public keeperReward;

    /// @notice Most keeper reward paid per UTC day, asset units.
    uint96 public keeperRewardDailyCap;
    uint32 private _rewardDay;
    uint96 private _rewardPaidToday;

    /// @param asset_ Settlement asset (at most 18 decimals).
    /// @param oracle_ Price feed of the underlying in units of the settlement asset.
    /// @param deployer_ Deploys the series tokens for this pool.
    /// @param name_ LP share name.
    /// @param symbol_ LP share symbol.
    /// @param owner_ Admin (two-step transferable).
    constructor(
        IERC20Metadata asset_,
        AggregatorV3Interface oracle_,
        LeveragedTokenDeployer deployer_,
        string memory name_,
        string memory symbol_,
        address owner_
    ) ERC4626(asset_) ERC20(name_, symbol_) Ownable(owner_) {
        if (address(oracle_) == address(0) || address(deployer_) == address(0)) revert ZeroAddress();
        uint8 assetDecimals = asset_.decimals();
        if (assetDecimals > 18) revert UnsupportedDecimals(assetDecimals);
        _assetScale = 10 ** (18 - assetDecimals);
        oracle = oracle_;
        uint8 feedDecimals = oracle_.decimals();
        if (feedDecimals > 36) revert UnsupportedDecimals(feedDecimals); // keeps 10**(d-18) in range
        _oracleDecimals = feedDecimals;
        _deployer = deployer_;
        floorRatio = 0.1e18;
        maxPriceAge = 1 hours;
        healthInterval = 1 hours;
    }

    modifier onlySelf() {
        if (msg.sender != address(this)) revert OnlySelf(msg.sender);
        _;
    }

    // =================================================================== admin

    /// @notice Creates a series and its token.
    /// @param name_ Token name.
    /// @param symbol_ Token symbol (e.g. ETH3L).
    /// @param isLong_ True for a long series, false for a short one.
    /// @param initialNav NAV per token at the first mint, WAD.
    /// @param params Rebalance policy and fees (bounded; see `setSeriesParams`).
    /// @return token The new series token.
    function createSeries(
        string calldata name_,
        string calldata symbol_,
        bool isLong_,
        uint256 initialNav,
        SeriesParams calldata params
    ) external onlyOwner returns (address token) {
        uint256 n = _seriesCount;
        if (n >= MAX_SERIES) revert TooManySeries(MAX_SERIES);
        if (initialNav < MIN_INITIAL_NAV || initialNav > MAX_INITIAL_NAV) {
            revert ParameterOutOfBounds("initialNav", initialNav, MIN_INITIAL_NAV, MAX_INITIAL_NAV);
        }
        _validate(params);
        token = _deployer.deploy(name_, symbol_);
        Series storage s = _book[n];
        s.token = token;
        s.isLong = isLong_;
        s.initialNav = uint96(initialNav);
        s.settledAt = uint32(block.timestamp);
        s.lastRebalance = uint40(block.timestamp);
        _store(s, params);
        _position[token] = n + 1;
        _seriesCount = uint8(n + 1);
        emit SeriesCreated(token, symbol_, isLong_, initialNav, params);
    }

    /// @notice Sets the policy and fees of a series, after settling it at the current price so that a new
    ///         streaming fee never applies to time already elapsed. Emits `ParametersUpdated` per change.
    /// @param token The series.
    /// @param params New policy and fees: 1x < min < target < max <= 10x (or min = 0), fees and spread
    ///        capped, fallback 0 or 1 h..7 d.
    function setSeriesParams(address token, SeriesParams calldata params) external onlyOwner nonReentrant {
        Series storage s = _seriesOf(token);
        _validate(params);
        uint256 p = _price();
        _settle(token, s, p, IERC20(token).totalSupply());
        SeriesParams memory old = _paramsOf(s);
        _store(s, params);
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, _liabilities(p)); // the settlement may knock out
        _syncFloor(r, fl);
        if (old.targetLeverage != params.targetLeverage) {
            emit ParametersUpdated(token, "targetLeverage", params.targetLeverage);
        }
        if (old.minLeverage != params.minLeverage) emit ParametersUpdated(token, "minLeverage", params.minLeverage);
        if (old.maxLeverage != params.maxLeverage) emit ParametersUpdated(token, "maxLeverage", params.maxLeverage);
        if (old.fallbackInterval != params.fallbackInterval) {
            emit ParametersUpdated(token, "fallbackInterval", params.fallbackInterval);
        }
        if (old.mintFee != params.mintFee) emit ParametersUpdated(token, "mintFee", params.mintFee);
        if (old.redeemFee != params.redeemFee) emit ParametersUpdated(token, "redeemFee", params.redeemFee);
        if (old.streamingFee != params.streamingFee) {
            emit ParametersUpdated(token, "streamingFee", params.streamingFee);
        }
        if (old.spread != params.spread) emit ParametersUpdated(token, "spread", params.spread);
    }

    /// @notice Sets the floor ratio (WAD, 1%..100% of liabilities).
    /// @param ratio New floor ratio.
    function setFloorRatio(uint256 ratio) external onlyOwner {
        _checkBounds("floorRatio", ratio, MIN_FLOOR_RATIO, MAX_FLOOR_RATIO);
        floorRatio = uint64(ratio);
        emit ParametersUpdated(address(this), "floorRatio", ratio);
    }

    /// @notice Sets the oracle's max price age (seconds, 1 min..2 days).
    /// @param age New max age.
    function setMaxPriceAge(uint256 age) external onlyOwner {
        _checkBounds("maxPriceAge", age, MIN_PRICE_AGE, MAX_PRICE_AGE);
        maxPriceAge = uint32(age);
        emit ParametersUpdated(address(this), "maxPriceAge", age);
    }

    /// @notice Sets the minimum interval between health reports (seconds, 5 min..1 day).
    /// @param interval New interval.
    function setHealthInterval(uint256 interval) external onlyOwner {
        _checkBounds("healthInterval", interval, MIN_HEALTH_INTERVAL, MAX_HEALTH_INTERVAL);
        healthInterval = uint32(interval);
        emit ParametersUpdated(address(this), "healthInterval", interval);
    }

    /// @notice Sets the keeper reward per rebalance and its daily cap (asset units; 0 disables).
    /// @param reward Reward per successful rebalance (at most 1,000 units of the asset).
    /// @param dailyCap Most paid per UTC day (at least `reward`, at most 100,000 units of the asset).
    function setKeeperReward(uint256 reward, uint256 dailyCap) external onlyOwner {
        _checkBounds("keeperReward", reward, 0, MAX_KEEPER_REWARD / _assetScale);
        _checkBounds("keeperRewardDailyCap", dailyCap, reward, MAX_KEEPER_REWARD_DAILY / _assetScale);
        keeperReward = uint80(reward);
        keeperRewardDailyCap = uint96(dailyCap);
        emit ParametersUpdated(address(this), "keeperReward", reward);
        emit ParametersUpdated(address(this), "keeperRewardDailyCap", dailyCap);
    }

    /// @notice Pauses mints and exposure-increasing rebalances (redemptions are never paused).
    function pause() external onlyOwner {
        _pause();
    }

    /// @notice Lifts the pause.
    function unpause() external onlyOwner {
        _unpause();
    }

    // =================================================================== series operations

    /// @inheritdoc IReservePool
    function mintFor(address payer, uint256 assets, uint256 minTokens, address receiver, uint256 supply)
        external
        nonReentrant
        whenNotPaused
        returns (uint256 tokens)
    {
        address token = msg.sender;
        Series storage s = _callerSeries();
        if (assets == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        if (s.knockedOut) revert SeriesKnockedOut(token);
        uint256 price = _price();
        uint256 equity = _settle(token, s, price, supply);
        if (s.knockedOut) revert SeriesKnockedOut(token);

        uint256 gross = assets * _assetScale;
        uint256 fee = SeriesMath.feeOf(gross, s.mintFee);
        uint256 net = gross - fee;
        tokens = SeriesMath.tokensForMint(net, supply, equity, supply == 0 ? s.initialNav : 0);
        if (tokens == 0 || tokens < minTokens) revert SlippageExceeded(tokens, minTokens == 0 ? 1 : minTokens);

        uint256 newEquity = equity + net;
        if (supply == 0) {
            // First mint: the exposure is set at target, which counts as a rebalance for the fallback.
            s.exposure = SeriesMath.exposureFor(s.targetLeverage, net, price).toUint112();
            s.lastRebalance = uint40(block.timestamp);
        } else {
            s.exposure = SeriesMath.scaleExposure(s.exposure, newEquity, equity).toUint112();
        }
        s.equity = newEquity.toUint112();
        uint256 pooled = _poolAssets + assets;
        _poolAssets = pooled.toUint128();

        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(price));
        if (r < fl.toInt256()) revert ReserveBelowFloor(r, fl);
        _syncFloor(r, fl);

        IERC20(asset()).safeTransferFrom(payer, address(this), assets);
        emit Minted(token, payer, receiver, assets, tokens, fee, price);
    }

    /// @inheritdoc IReservePool
    function redeemFor(address owner_, uint256 tokens, uint256 minAssets, address receiver, uint256 supply)
        external
        nonReentrant
        returns (uint256 assets)
    {
        address token = msg.sender;
        Series storage s = _callerSeries();
        if (tokens == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        uint256 price = _price();
        uint256 equity = _settle(token, s, price, supply);

        uint256 liabilitiesBefore = _liabilities(price);
        uint256 pooledWad = uint256(_poolAssets) * _assetScale;
        uint256 gross = SeriesMath.claimOf(tokens, supply, equity);
        uint256 fee = SeriesMath.feeOf(gross, s.redeemFee);
        uint256 payout = gross - fee;
        // Insolvent pool: every claim is paid at the same fraction poolAssets/liabilities (round down).
        if (pooledWad < liabilitiesBefore) payout = Math.mulDiv(payout, pooledWad, liabilitiesBefore);
        assets = payout / _assetScale; // round down: holder receives
        if (assets < minAssets) revert SlippageExceeded(assets, minAssets);

        uint256 newEquity = equity - gross;
        s.exposure = SeriesMath.scaleExposure(s.exposure, newEquity, equity).toUint112();
        s.equity = uint112(newEquity);
        uint256 pooled = _poolAssets - assets;
        _poolAssets = uint128(pooled);
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, liabilitiesBefore - gross);
        _syncFloor(r, fl);

        if (assets != 0) IERC20(asset()).safeTransfer(receiver, assets);
        emit Redeemed(token, owner_, receiver, tokens, assets, fee, price);
    }

    /// @inheritdoc IReservePool
    function rebalanceFor(address keeper, uint256 supply) external nonReentrant returns (uint8) {
        return uint8(_rebalance(msg.sender, _callerSeries(), keeper, supply));
    }

    /// @notice `performUpkeep`'s isolated rebalance of one series (so one failure never blocks another).
    /// @param token The series.
    /// @param keeper Receiver of the keeper reward.
    /// @return trigger The trigger that fired.
    function upkeepRebalance(address token, address keeper) external onlySelf nonReentrant returns (uint8) {
        return uint8(_rebalance(token, _seriesOf(token), keeper, IERC20(token).totalSupply()));
    }

    // =================================================================== reserve

    /// @inheritdoc IReservePool
    function fundReserve(uint256 assets) external nonReentrant {
        if (assets == 0) revert ZeroAmount();
        uint256 pooled = _poolAssets + assets;
        _poolAssets = pooled.toUint128();
        IERC20(asset()).safeTransferFrom(msg.sender, address(this), assets);
        emit ReserveFunded(msg.sender, assets);
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(_viewPrice()));
        _syncFloor(r, fl);
    }

    /// @inheritdoc IReservePool
    function reportHealth() external nonReentrant {
        if (!_healthDue()) revert HealthReportTooSoon(lastHealthReport + healthInterval);
        _reportHealth(_price());
    }

    // =================================================================== Chainlink Automation

    /// @notice Which series need a rebalance (or a knock-out settlement) and whether a health report is due.
    /// @dev Never reverts. `performData` = abi.encode(uint256 seriesBitmap, bool healthDue).
    /// @return upkeepNeeded True if `performUpkeep` has something to do.
    /// @return performData The bitmap of series (bit i = `series()[i]`) and the health flag.
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        (OraclePrice.Status status, uint256 price) = _tryPrice();
        if (status != OraclePrice.Status.Ok) return (false, "");
        uint256 bitmap;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            if (_status(_book[i], price) != Trigger.None) bitmap |= 1 << i;
        }
        bool healthDue = _healthDue();
        return (bitmap != 0 || healthDue, abi.encode(bitmap, healthDue));
    }

    /// @notice Rebalances the series flagged in `performData` and reports health if due, re-validating
    ///         everything. A series that cannot be rebalanced emits `UpkeepFailed` and the others go on;
    ///         reverts with `NoUpkeepNeeded` if nothing at all succeeded.
    /// @param performData abi.encode(uint256 seriesBitmap, bool healthDue), as from `checkUpkeep`.
    function performUpkeep(bytes calldata performData) external {
        (uint256 bitmap, bool healthDue) = abi.decode(performData, (uint256, bool));
        uint256 done;
        uint256 n = _seriesCount;
        for (uint256 i; i < n && bitmap >> i != 0; ++i) {
            if (bitmap & (1 << i) == 0) continue;
            address token = _book[i].token;
            try this.upkeepRebalance(token, msg.sender) {
                ++done;
            } catch (bytes memory reason) {
                emit UpkeepFailed(token, reason);
            }
        }
        if (healthDue && _healthDue()) {
            _reportHealth(_price());
            ++done;
        }
        if (done == 0) {
            _price(); // an unusable oracle is why nothing succeeded: revert with its cause
            revert NoUpkeepNeeded();
        }
    }

    // =================================================================== ERC-4626 (LP shares)

    /// @notice Reserve in asset units, max(0, R), rounded down. Never reverts.
    function totalAssets() public view override returns (uint256) {
        int256 r = _reserveAt(_viewPrice());
        return r <= 0 ? 0 : uint256(r) / _assetScale;
    }

    /// @notice 0 while the oracle is unusable or the reserve is negative (recapitalise with `fundReserve`
    ///         first); unlimited otherwise.
    function maxDeposit(address) public view override returns (uint256) {
        return _depositsOpen() ? type(uint256).max : 0;
    }

    /// @notice As `maxDeposit`, in shares.
    function maxMint(address) public view override returns (uint256) {
        return _depositsOpen() ? type(uint256).max : 0;
    }

    /// @notice The owner's assets, bounded so the reserve stays at or above the floor; 0 while the oracle
    ///         is unusable.
    function maxWithdraw(address owner_) public view override returns (uint256) {
        return Math.min(_convertToAssets(balanceOf(owner_), Math.Rounding.Floor), _withdrawable());
    }

    /// @notice As `maxWithdraw`, in shares (rounded down).
    function maxRedeem(address owner_) public view override returns (uint256) {
        return Math.min(balanceOf(owner_), _convertToShares(_withdrawable(), Math.Rounding.Floor));
    }

    /// @inheritdoc ERC4626
    function deposit(uint256 assets, address receiver) public override nonReentrant returns (uint256) {
        _price();
        return super.deposit(assets, receiver);
    }

    /// @inheritdoc ERC4626
    function mint(uint256 shares, address receiver) public override nonReentrant returns (uint256) {
        _price();
        return super.mint(shares, receiver);
    }

    /// @inheritdoc ERC4626
    function withdraw(uint256 assets, address receiver, address owner_) public override nonReentrant returns (uint256) {
        _price();
        return super.withdraw(assets, receiver, owner_);
    }

    /// @inheritdoc ERC4626
    function redeem(uint256 shares, address receiver, address owner_) public override nonReentrant returns (uint256) {
        _price();
        return super.redeem(shares, receiver, owner_);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        if (assets == 0 || shares == 0) revert ZeroAmount();
        uint256 pooled = _poolAssets + assets;
        _poolAssets = pooled.toUint128();
        super._deposit(caller, receiver, assets, shares);
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(_viewPrice()));
        _syncFloor(r, fl);
    }

    function _withdraw(address caller, address receiver, address owner_, uint256 assets, uint256 shares)
        internal
        override
    {
        if (assets == 0 || shares == 0) revert ZeroAmount();
        uint256 pooled = _poolAssets - assets;
        _poolAssets = uint128(pooled);
        super._withdraw(caller, receiver, owner_, assets, shares);
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(_viewPrice()));
        _syncFloor(r, fl);
    }

    /// @dev Virtual shares and assets: 10**6 shares per unit of asset at the start (inflation defence).
    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }

    // =================================================================== views

    /// @inheritdoc IReservePool
    function price() external view returns (uint256) {
        return OraclePrice.read(oracle, _oracleDecimals, maxPriceAge);
    }

    /// @inheritdoc IReservePool
    function markPrice() external view returns (uint256 p) {
        p = _viewPrice();
        if (p != 0) return p;
        // Oracle unusable: the mark price of the most recently settled series.
        uint256 latest;
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            Series storage s = _book[i];
            if (s.settledAt >= latest && s.markPrice != 0) (latest, p) = (s.settledAt, s.markPrice);
        }
    }

    /// @inheritdoc IReservePool
    function reserve() external view returns (int256) {
        return _reserveAt(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function liabilities() external view returns (uint256) {
        return _liabilities(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function netExposure() external view returns (int256) {
        return _netExposure(_viewPrice());
    }

    /// @inheritdoc IReservePool
    function floor() external view returns (uint256) {
        return _floorOf(_liabilities(_viewPrice()));
    }

    /// @inheritdoc IReservePool
    function poolAssets() external view returns (uint256) {
        return _poolAssets;
    }

    /// @inheritdoc IReservePool
    function series() external view returns (address[] memory tokens) {
        uint256 n = _seriesCount;
        tokens = new address[](n);
        for (uint256 i; i < n; ++i) {
            tokens[i] = _book[i].token;
        }
    }

    /// @inheritdoc IReservePool
    function equityOf(address token) external view returns (uint256) {
        return _equityNow(_seriesOf(token), _viewPrice());
    }

    /// @inheritdoc IReservePool
    function exposureOf(address token) external view returns (uint256) {
        Series storage s = _seriesOf(token);
        return _equityNow(s, _viewPrice()) == 0 ? 0 : s.exposure;
    }

    /// @inheritdoc IReservePool
    function navOf(address token) external view returns (uint256) {
        Series storage s = _seriesOf(token);
        return _nav(s, _equityNow(s, _viewPrice()), IERC20(token).totalSupply());
    }

    /// @inheritdoc IReservePool
    function leverageOf(address token) external view returns (uint256) {
        Series storage s = _seriesOf(token);
        uint256 p = _viewPrice();
        uint256 equity = _equityNow(s, p);
        // p = 0 (oracle unusable): value the exposure at the series' own mark price, like its equity
        return SeriesMath.leverage(s.exposure, p == 0 ? s.markPrice : p, equity);
    }

    /// @inheritdoc IReservePool
    function rebalanceStatusOf(address token) external view returns (uint8) {
        _seriesOf(token);
        (OraclePrice.Status status, uint256 p) = _tryPrice();
        if (status != OraclePrice.Status.Ok) return uint8(Trigger.None);
        return uint8(_status(_seriesOf(token), p));
    }

    /// @inheritdoc IReservePool
    function seriesParams(address token) external view returns (SeriesParams memory) {
        return _paramsOf(_seriesOf(token));
    }

    /// @inheritdoc IReservePool
    function seriesState(address token) external view returns (SeriesState memory) {
        Series storage s = _seriesOf(token);
        return SeriesState({
            equity: s.equity,
            exposure: s.exposure,
            markPrice: s.markPrice,
            settledAt: s.settledAt,
            lastRebalance: s.lastRebalance,
            initialNav: s.initialNav,
            isLong: s.isLong,
            knockedOut: s.knockedOut
        });
    }

    // =================================================================== internals: rebalance

    function _rebalance(address token, Series storage s, address keeper, uint256 supply)
        private
        returns (Trigger trigger)
    {
        if (s.knockedOut) revert SeriesKnockedOut(token);
        uint256 p = _price();
        uint256 equity = _settle(token, s, p, supply);
        if (s.knockedOut) {
            (int256 rk, uint256 flk) = _reserveAndFloor(_poolAssets, _liabilities(p));
            _syncFloor(rk, flk);
            return Trigger.KnockOut;
        }
        if (equity == 0) revert NoRebalanceTrigger(0); // an empty series has nothing to rebalance
        uint256 x = s.exposure;
        uint256 levBefore = SeriesMath.leverage(x, p, equity);
        trigger = _trigger(s, levBefore);
        if (trigger == Trigger.None) revert NoRebalanceTrigger(levBefore);

        uint256 xNew = SeriesMath.exposureFor(s.targetLeverage, equity, p);
        if (xNew > x) _requireNotPaused();
        uint256 cost = SeriesMath.spreadCost(xNew > x ? xNew - x : x - xNew, p, s.spread);
        // A spread that would take all the equity (leverage far beyond its band) ends the series: no
        // exposure may be left without equity behind it.
        if (cost >= equity) return _knockOut(token, s, p, equity);
        uint256 newEquity = equity - cost;
        s.equity = uint112(newEquity);
        s.exposure = xNew.toUint112();
        s.lastRebalance = uint40(block.timestamp);

        uint256 pooled = _poolAssets;
        (int256 r, uint256 fl) = _reserveAndFloor(pooled, _liabilities(p));
        if (xNew > x && r < fl.toInt256()) revert ReserveBelowFloor(r, fl);
        emit Rebalanced(
            token,
            uint8(trigger),
            p,
            levBefore,
            SeriesMath.leverage(xNew, p, newEquity),
            x,
            xNew,
            _nav(s, equity, supply),
            _nav(s, newEquity, supply),
            cost,
            keeper
        );
        r = _payKeeper(keeper, token, pooled, r, fl);
        _syncFloor(r, fl);
    }

    /// @dev Knocks out a series whose rebalance spread cost would take all of its `equity` (which the
    ///      reserve keeps), like a settlement that finds equity 0.
    function _knockOut(address token, Series storage s, uint256 p, uint256 equity) private returns (Trigger) {
        s.equity = 0;
        s.exposure = 0;
        s.knockedOut = true;
        emit KnockedOut(token, p, equity);
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, _liabilities(p));
        _syncFloor(r, fl);
        return Trigger.KnockOut;
    }

    /// @dev Pays the keeper reward from the reserve if set, within today's cap, and only if the reserve
    ///      stays at or above the floor. Returns the reserve after payment.
    function _payKeeper(address keeper, address token, uint256 pooled, int256 r, uint256 fl)
        private
        returns (int256)
    {
        uint256 reward = keeperReward;
        if (reward == 0) return r;
        uint256 day = block.timestamp / 1 days;
        uint256 paid = _rewardDay == day ? _rewardPaidToday : 0;
        uint256 cap = keeperRewardDailyCap;
        if (paid >= cap) return r;
        if (reward > cap - paid) reward = cap - paid;
        int256 after_ = r - (reward * _assetScale).toInt256();
        if (after_ < fl.toInt256()) return r;
        _rewardDay = uint32(day);
        _rewardPaidToday = uint96(paid + reward);
        _poolAssets = uint128(pooled - reward);
        IERC20(asset()).safeTransfer(keeper, reward);
        emit KeeperRewarded(keeper, token, reward);
        return after_;
    }

    /// @dev The trigger that holds at leverage `lev`: Drift first; the time triggers' slot is read only
    ///      when the series is inside its band.
    function _trigger(Series storage s, uint256 lev) private view returns (Trigger) {
        if (RebalancePolicy.drifted(lev, s.minLeverage, s.maxLeverage)) return Trigger.Drift;
        if (RebalancePolicy.fallbackDue(s.fallbackInterval, s.lastRebalance)) return Trigger.Fallback;
        return Trigger.None;
    }

    /// @dev The trigger a rebalance of `token` at `p` would fire, `None` if it would revert.
    function _status(Series storage s, uint256 p) private view returns (Trigger) {
        if (s.knockedOut) return Trigger.None;
        uint256 equity = _equityNow(s, p);
        if (equity == 0) return IERC20(s.token).totalSupply() == 0 ? Trigger.None : Trigger.KnockOut;
        uint256 x = s.exposure;
        uint256 lev = SeriesMath.leverage(x, p, equity);
        Trigger trigger = _trigger(s, lev);
        if (trigger == Trigger.None) return trigger;
        uint256 xNew = SeriesMath.exposureFor(s.targetLeverage, equity, p);
        bool increase = xNew > x;
        if (increase && paused()) return Trigger.None;
        uint256 cost = SeriesMath.spreadCost(increase ? xNew - x : x - xNew, p, s.spread);
        if (cost >= equity) return Trigger.KnockOut; // the rebalance would knock the series out
        if (!increase) return trigger;
        if (xNew > type(uint112).max) return Trigger.None; // the rebalance would revert (SafeCast)
        // An exposure increase must leave the reserve at or above the floor (after the spread cost and the
        // settlement's fee, both of which move value from this series' equity to the reserve).
        uint256 total = _liabilities(p) - cost;
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, total);
        return r < fl.toInt256() ? Trigger.None : trigger;
    }

    // =================================================================== internals: valuation

    /// @dev Settles `s` at `p`: accrues the streaming fee to the reserve, marks equity and price, and
    ///      knocks the series out if it has holders and no equity left. Returns the settled equity.
    function _settle(address token, Series storage s, uint256 p, uint256 supply) private returns (uint256) {
        if (s.knockedOut) return 0;
        uint256 equity = _equityNow(s, p);
        if (equity == 0 && supply != 0) {
            emit KnockedOut(token, p, s.equity);
            s.equity = 0;
            s.exposure = 0;
            s.knockedOut = true;
        } else {
            s.equity = equity.toUint112(); // a gain past uint112 reverts instead of vanishing
        }
        s.markPrice = p.toUint128();
        s.settledAt = uint32(block.timestamp);
        return equity;
    }

    /// @dev Equity at `p` net of the streaming fee accrued since the last settlement; `p` = 0 (oracle
    ///      unusable, views only) values the series at its own last settled mark price.
    function _equityNow(Series storage s, uint256 p) private view returns (uint256) {
        uint256 p0 = s.markPrice;
        uint256 equity = SeriesMath.equityAt(s.equity, s.exposure, p0, p == 0 ? p0 : p, s.isLong);
        return equity - SeriesMath.streamingFee(equity, s.streamingFee, block.timestamp - s.settledAt);
    }

    /// @dev Sum of side*exposure at `p` over the series with equity left (a dead series exposes no one).
    function _netExposure(uint256 p) private view returns (int256 net) {
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            Series storage s = _book[i];
            if (_equityNow(s, p) == 0) continue;
            int256 x = int256(uint256(s.exposure));
            net += s.isLong ? x : -x;
        }
    }

    /// @dev Sum of the series' equities at `p` (net of accrued streaming fees).
    function _liabilities(uint256 p) private view returns (uint256 total) {
        uint256 n = _seriesCount;
        for (uint256 i; i < n; ++i) {
            total += _equityNow(_book[i], p);
        }
    }

    function _reserveAt(uint256 p) private view returns (int256 r) {
        (r,) = _reserveAndFloor(_poolAssets, _liabilities(p));
    }

    /// @dev Reserve = pooled*scale - liabilities (WAD) and floor = ceil(floorRatio*liabilities).
    function _reserveAndFloor(uint256 pooled, uint256 totalLiabilities) private view returns (int256 r, uint256 fl) {
        r = (pooled * _assetScale).toInt256() - totalLiabilities.toInt256();
        fl = _floorOf(totalLiabilities);
    }

    function _floorOf(uint256 totalLiabilities) private view returns (uint256) {
        return Math.mulDiv(totalLiabilities, floorRatio, WAD, Math.Rounding.Ceil); // round up: stricter floor
    }

    /// @dev Emits `ReserveFloorBreached` / `ReserveFloorRestored` when the floor state flips.
    function _syncFloor(int256 r, uint256 fl) private {
        bool breached = r < fl.toInt256();
        if (breached == floorBreached) return;
        floorBreached = breached;
        if (breached) emit ReserveFloorBreached(r, fl);
        else emit ReserveFloorRestored(r, fl);
    }

    function _reportHealth(uint256 p) private {
        uint256 total = _liabilities(p);
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, total);
        int256 net = _netExposure(p);
        int256 coverage = total == 0 ? type(int256).max : r * int256(WAD) / total.toInt256();
        uint256 absNet = net < 0 ? uint256(-net) : uint256(net);
        uint256 utilization =
            absNet == 0 ? 0 : r <= 0 ? type(uint256).max : Math.mulDiv(Math.mulDiv(absNet, p, WAD), WAD, uint256(r));
        lastHealthReport = uint40(block.timestamp);
        _syncFloor(r, fl);
        emit ReserveHealth(r, total, coverage, utilization, r - fl.toInt256(), net, p);
    }

    function _healthDue() private view returns (bool) {
        uint256 last = lastHealthReport;
        return last == 0 || block.timestamp >= last + healthInterval;
    }

    /// @dev Reads the oracle, reverting with the cause if unusable.
    function _price() private view returns (uint256) {
        return OraclePrice.read(oracle, _oracleDecimals, maxPriceAge);
    }

    function _tryPrice() private view returns (OraclePrice.Status, uint256) {
        return OraclePrice.tryRead(oracle, _oracleDecimals, maxPriceAge);
    }

    /// @dev The oracle price if usable, else 0: each series is then valued at its own last settled mark
    ///      price (see `_equityNow`). Never reverts.
    function _viewPrice() private view returns (uint256) {
        (OraclePrice.Status status, uint256 p) = _tryPrice();
        return status == OraclePrice.Status.Ok ? p : 0;
    }

    /// @dev NAV per token; reads `initialNav` (a cold slot) only for an empty series.
    function _nav(Series storage s, uint256 equity, uint256 supply) private view returns (uint256) {
        return SeriesMath.nav(equity, supply, supply == 0 ? s.initialNav : 0);
    }

    function _depositsOpen() private view returns (bool) {
        (OraclePrice.Status status, uint256 p) = _tryPrice();
        if (status != OraclePrice.Status.Ok) return false;
        return _reserveAt(p) >= 0; // a deposit into a deficit would first pay for it: fundReserve instead
    }

    /// @dev Assets LPs may withdraw in total: max(0, R - floor), asset units rounded down; 0 if the oracle
    ///      is unusable.
    function _withdrawable() private view returns (uint256) {
        (OraclePrice.Status status, uint256 p) = _tryPrice();
        if (status != OraclePrice.Status.Ok) return 0;
        (int256 r, uint256 fl) = _reserveAndFloor(_poolAssets, _liabilities(p));
        int256 room = r - fl.toInt256();
        return room <= 0 ? 0 : uint256(room) / _assetScale;
    }

    // =================================================================== internals: params

    function _seriesOf(address token) private view returns (Series storage) {
        uint256 position = _position[token];
        if (position == 0) revert UnknownSeries(token);
        return _book[position - 1];
    }

    /// @dev The series of the calling token; reverts `OnlySeries` for any other caller.
    function _callerSeries() private view returns (Series storage) {
        uint256 position = _position[msg.sender];
        if (position == 0) revert OnlySeries(msg.sender);
        return _book[position - 1];
    }

    function _validate(SeriesParams calldata p) private pure {
        uint256 minL = p.minLeverage;
        uint256 target = p.targetLeverage;
        uint256 maxL = p.maxLeverage;
        bool bandOk = target > WAD && target < maxL && maxL <= MAX_LEVERAGE && (minL == 0 || (minL > WAD && minL < target));
        if (!bandOk) revert InvalidLeverageBand(minL, target, maxL);
        if (p.fallbackInterval != 0) _checkBounds("fallbackInterval", p.fallbackInterval, MIN_FALLBACK, MAX_FALLBACK);
        _checkBounds("mintFee", p.mintFee, 0, MAX_TRADE_FEE);
        _checkBounds("redeemFee", p.redeemFee, 0, MAX_TRADE_FEE);
        _checkBounds("streamingFee", p.streamingFee, 0, MAX_STREAMING_FEE);
        _checkBounds("spread", p.spread, 0, MAX_SPREAD);
    }

    function _checkBounds(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ParameterOutOfBounds(name, value, min, max);
    }

    function _store(Series storage s, SeriesParams calldata p) private {
        s.targetLeverage = p.targetLeverage;
        s.minLeverage = p.minLeverage;
        s.maxLeverage = p.maxLeverage;
        s.fallbackInterval = p.fallbackInterval;
        s.mintFee = p.mintFee;
        s.redeemFee = p.redeemFee;
        s.streamingFee = p.streamingFee;
        s.spread = p.spread;
    }

    function _paramsOf(Series storage s) private view returns (SeriesParams memory) {
        return SeriesParams({
            targetLeverage: s.targetLeverage,
            minLeverage: s.minLeverage,
            maxLeverage: s.maxLeverage,
            fallbackInterval: s.fallbackInterval,
            mintFee: s.mintFee,
            redeemFee: s.redeemFee,
            streamingFee: s.streamingFee,
            spread: s.spread
        });
    }
}
