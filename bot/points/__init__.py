"""Points (积分): rules, the append-only ledger, redemption, leaderboards."""
