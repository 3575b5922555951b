"""Store-and-forward client for rasoat servers (built on requests; never imports server)."""
