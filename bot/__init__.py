"""citybot front ends (Telegram, Discord, web) around one transport-free core."""
