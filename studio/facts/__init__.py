"""The facts lab: the article's Romeo -> Bob experiment on any corpus."""
