"""Fetching a photo from a user-supplied URL without letting the URL reach inside our network.

Every hop is checked the same way: http/https only, no credentials, the host resolved once and
every address it resolves to allowed by the `AddressPolicy`; the connection then goes to that
checked address (Host header and TLS SNI carry the name), so DNS cannot change its mind between
the check and the connection. Redirects are followed by hand, a few at most, each one re-checked.
"""

import asyncio
import socket
import ssl
from dataclasses import dataclass
from typing import Awaitable, Callable
from urllib.parse import SplitResult, urljoin, urlsplit

import anyio
import httpx

from bot.web.addresses import AddressPolicy, IPAddress, ends_in_number, ip_literal
from bot.web.errors import NotAnImageUrl, UpstreamFailed, UpstreamTimeout, UploadTooLarge, UrlRefused

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_URL_LENGTH = 2048
# Some hosts serve photos as octet-stream; the bytes still go through the shared image checks.
ACCEPTED_CONTENT_TYPES = ("image/", "application/octet-stream")


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (one lookup)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ip_literal(info[4][0]) for info in infos]


@dataclass(frozen=True)
class FetchLimits:
    """How much a URL fetch may take: bytes, seconds for the whole fetch, redirect hops."""

    max_bytes: int
    deadline: float = 10.0
    max_redirects: int = 3


@dataclass(frozen=True)
class Fetched:
    """A photo's bytes and where they finally came from."""

    data: bytes
    content_type: str
    url: str


@dataclass(frozen=True)
class Target:
    """One checked hop: the name the user gave and the address we will connect to."""

    scheme: str
    host: str
    port: int
    address: IPAddress
    path: str
    query: str

    def request_url(self) -> httpx.URL:
        """The URL naming the checked address itself, so no second lookup happens."""
        url = httpx.URL(scheme=self.scheme, host=str(self.address), port=self.port, path=self.path)
        return url.copy_with(query=self.query.encode()) if self.query else url

    def host_header(self) -> str:
        """The Host header for the name the user gave (port only when not the default)."""
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


class UrlFetcher:
    """Fetches images from URLs users paste, refusing anything the policy does not allow."""

    def __init__(
        self,
        limits: FetchLimits,
        policy: AddressPolicy = AddressPolicy(),
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self.limits = limits
        self.policy = policy
        self.resolver = resolver
        self.verify = verify  # certificate checking; tests pass a context trusting their own CA

    async def fetch(self, url: str) -> Fetched:
        """The image at `url`, or a WebError saying what was wrong (upstream bodies are never echoed)."""
        try:
            with anyio.fail_after(self.limits.deadline):
                async with httpx.AsyncClient(
                    verify=self.verify, trust_env=False, follow_redirects=False, timeout=self.limits.deadline
                ) as client:
                    return await self._follow(client, url)
        except TimeoutError:
            raise UpstreamTimeout(f"the photo did not arrive within {self.limits.deadline:g} s") from None

    async def _follow(self, client: httpx.AsyncClient, url: str) -> Fetched:
        for _ in range(self.limits.max_redirects + 1):
            target = await self.check(url)
            outcome = await self._get(client, target, url)
            if isinstance(outcome, Fetched):
                return outcome
            url = outcome
        raise UrlRefused(f"too many redirects (more than {self.limits.max_redirects})")

    async def check(self, url: str) -> Target:
        """Parse and check one hop's URL, resolving its host once; raises UrlRefused with the reason."""
        parts = parse_url(url)
        host, port = host_and_port(parts)
        literal = ip_literal(host)
        if literal is None and ends_in_number(host):
            raise UrlRefused(f"{host!r} is not a valid address")
        addresses = [literal] if literal is not None else await self._resolve(host, port)
        refused = [address for address in addresses if not self.policy.permits(address)]
        if refused:
            raise UrlRefused(f"{host} leads to a private or reserved address ({refused[0]}); only public hosts are fetched")
        return Target(parts.scheme, host, port, addresses[0], parts.path or "/", parts.query)

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            addresses = [address for address in await self.resolver(host, port) if address is not None]
        except OSError:
            addresses = []
        if not addresses:
            raise UpstreamFailed(f"could not find the host {host}")
        return addresses

    async def _get(self, client: httpx.AsyncClient, target: Target, url: str) -> Fetched | str:
        """The photo, or the next URL when the server redirects."""
        headers = {"Host": target.host_header(), "Accept": "image/*", "User-Agent": "citybot"}
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            async with client.stream("GET", target.request_url(), headers=headers, extensions=extensions) as response:
                if response.status_code in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise UpstreamFailed(f"the server answered HTTP {response.status_code} without a location")
                    return urljoin(url, location.strip())
                if not 200 <= response.status_code < 300:
                    raise UpstreamFailed(f"the server answered HTTP {response.status_code}")
                content_type = check_content_type(response.headers.get("content-type", ""))
                data = await self._read_capped(response)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"the photo did not arrive within {self.limits.deadline:g} s") from None
        except httpx.HTTPError as error:
            raise UpstreamFailed(f"could not fetch the photo from {target.host} ({type(error).__name__})") from None
        return Fetched(data, content_type, url)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise UploadTooLarge(f"the photo is larger than {_megabytes(cap)}")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > cap:
                raise UploadTooLarge(f"the photo is larger than {_megabytes(cap)}")
            chunks.append(chunk)
        return b"".join(chunks)


def parse_url(url: str) -> SplitResult:
    """Split a user's URL, refusing other schemes, credentials and characters parsers disagree about."""
    url = url.strip()
    if not url:
        raise UrlRefused("no URL given")
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(char.isspace() or ord(char) < 0x20 or char in "\\\x7f" for char in url):
        raise UrlRefused("the URL contains spaces, backslashes or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlRefused("only http:// and https:// URLs can be fetched")
    if "@" in parts.netloc:
        raise UrlRefused("URLs with a user name or password are not allowed")
    return parts._replace(scheme=parts.scheme.lower())


def host_and_port(parts: SplitResult) -> tuple[str, int]:
    """The ASCII host name (IDNA-encoded, no trailing dot) and port of a parsed URL."""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UrlRefused("the URL's port is not a number between 1 and 65535") from None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UrlRefused("the URL has no host name")
    if "%" in host:
        raise UrlRefused("addresses with a zone id are not allowed")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise UrlRefused("the URL's host name is not valid") from None
    return host, port


def check_content_type(content_type: str) -> str:
    """The content type when it may be a photo; refuses HTML, JSON, text and the like."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind and not kind.startswith(ACCEPTED_CONTENT_TYPES):
        raise NotAnImageUrl(f"that URL is not an image (it is {kind})")
    return kind


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:g} MB"
