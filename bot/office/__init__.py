"""The community office's views: the funnel statistics, the Excel export, the digests."""
