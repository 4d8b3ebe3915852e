"""Image search providers: each turns a query into candidate image URLs; DuckDuckGo is the default."""
