"""The web front end: an upload page, the course's /classify-url, a JSON API and the admin page."""
