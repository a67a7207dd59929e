"""Task meters, the form-vs-facts advisor, and the facts lab."""
