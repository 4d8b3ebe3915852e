"""Named errors of the web front end; each carries the HTTP status it is answered with."""


class WebError(Exception):
    """Base of every web error: `status` is the HTTP status, the message is shown to the user."""

    status = 400


class BadRequest(WebError):
    """The request itself is malformed (missing field, bad JSON, unknown city)."""

    status = 400


class UploadTooLarge(WebError):
    """The upload or the fetched photo is larger than the configured cap."""

    status = 413


class UrlRefused(WebError):
    """The URL is not one citybot will fetch (scheme, credentials, private address, too many redirects)."""

    status = 400


class NotAnImageUrl(WebError):
    """The URL answered with something that is not an image."""

    status = 415


class UpstreamFailed(WebError):
    """The remote server could not be reached or answered with an error status (never its body)."""

    status = 502


class UpstreamTimeout(WebError):
    """The remote server did not deliver the photo within the deadline."""

    status = 504


class AdminOff(WebError):
    """No ADMIN_TOKEN is set, so the admin page does not exist."""

    status = 404


class AdminDenied(WebError):
    """The admin token is missing or wrong."""

    status = 401


class NotFound(WebError):
    """The photo, run or plot named in the address does not exist."""

    status = 404
