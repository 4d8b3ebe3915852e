"""The transport-free core every front end (Telegram, web, Discord) shares: plain synchronous calls."""
