"""The TruStone registry: organisations, production sites, yearly supply-chain reports, assessments."""
