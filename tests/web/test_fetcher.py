"""The SSRF-safe URL fetcher against real servers on 127.0.0.1/127.0.0.2 and a resolver we control."""

import ipaddress
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from bot.web.addresses import AddressPolicy
from bot.web.errors import NotAnImageUrl, UpstreamFailed, UpstreamTimeout, UploadTooLarge, UrlRefused
from bot.web.fetcher import FetchLimits, UrlFetcher
from tests.synthetic import photo_bytes
from tests.web.servers import RecordingServer, Reply, serving

PHOTO = photo_bytes("Munich", seed=1)
JPEG = {"Content-Type": "image/jpeg"}
# The test's "internet": 127.0.0.1 counts as public; 127.0.0.2 stays internal, as in production.
TEST_POLICY = AddressPolicy.allowing(["127.0.0.1/32"])
LIMITS = FetchLimits(max_bytes=200_000, deadline=2.0, max_redirects=3)


class TableResolver:
    """A resolver answering from a table, one answer list per lookup, counting lookups per name."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.lookups: dict[str, int] = {}

    async def __call__(self, host: str, port: int) -> list:
        count = self.lookups.get(host, 0)
        self.lookups[host] = count + 1
        answers = self.table.get(host)
        if not answers:
            raise OSError("name not known")
        return [ipaddress.ip_address(address) for address in answers[min(count, len(answers) - 1)]]


@pytest.fixture
def public() -> Iterator[RecordingServer]:
    """A server on 127.0.0.1 (allowed by the test policy) serving a photo at /city.jpg."""
    with serving("127.0.0.1") as server:
        server.replies["/city.jpg"] = Reply(200, PHOTO, JPEG)
        yield server


@pytest.fixture
def internal() -> Iterator[RecordingServer]:
    """A server on 127.0.0.2 standing for the private network: it must never be asked anything."""
    with serving("127.0.0.2") as server:
        server.replies["/secret"] = Reply(200, PHOTO, JPEG)
        yield server


def fetcher(policy: AddressPolicy = TEST_POLICY, resolver=None, limits: FetchLimits = LIMITS) -> UrlFetcher:
    """A fetcher with the test policy and a resolver that knows photos.test."""
    resolver = resolver or TableResolver({"photos.test": [["127.0.0.1"]]})
    return UrlFetcher(limits, policy=policy, resolver=resolver)


async def test_fetches_a_photo_from_an_allowed_host_naming_it_in_the_host_header(public: RecordingServer) -> None:
    """An allowed URL gives the photo's bytes; the server sees the name the user typed, not the IP."""
    fetched = await fetcher().fetch(public.url("/city.jpg", host="photos.test"))
    assert fetched.data == PHOTO
    assert fetched.content_type == "image/jpeg"
    assert [(hit.path, hit.host) for hit in public.received] == [("/city.jpg", f"photos.test:{public.port}")]


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "2130706433", "0177.0.0.1", "0x7f000001", "0x7f.0.0.1", "127.1", "017700000001",
     "127.0.0.1.", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]", "localhost"],
)
async def test_loopback_is_refused_in_every_spelling_and_never_contacted(public: RecordingServer, host: str) -> None:
    """With the production policy, every way of writing 127.0.0.1 is refused before any connection."""
    production = UrlFetcher(LIMITS)
    with pytest.raises(UrlRefused, match="private or reserved"):
        await production.fetch(public.url("/city.jpg", host=host))
    assert public.received == []


@pytest.mark.parametrize(
    "host",
    ["10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "2852039166", "0251.0376.0251.0376",
     "0xa9.0xfe.0xa9.0xfe", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0", "[::1]", "[::]", "[fd00::1]",
     "[fc00::1]", "[fe80::1]", "[::ffff:10.0.0.1]", "[::ffff:a9fe:a9fe]", "[2002:a9fe:a9fe::1]",
     "[64:ff9b::a9fe:a9fe]", "224.0.0.1", "255.255.255.255", "198.18.0.1", "240.0.0.1"],
)
async def test_private_link_local_cgnat_and_ipv6_private_addresses_are_refused(host: str) -> None:
    """Private, link-local (cloud metadata), CGNAT, ULA and mapped addresses are refused as literals."""
    with pytest.raises(UrlRefused, match="private or reserved"):
        await UrlFetcher(LIMITS).check(f"http://{host}/latest/meta-data/")


@pytest.mark.parametrize("host", ["256.0.0.1", "1.2.3.4.5", "08.0.0.1", "4294967296", "0x1g.0"])
async def test_hosts_that_look_numeric_but_are_not_addresses_are_refused(host: str) -> None:
    """A host ending in a number that is no valid IPv4 address is refused, not handed to DNS."""
    with pytest.raises(UrlRefused, match="not a valid address"):
        await UrlFetcher(LIMITS).check(f"http://{host}/")


async def test_names_resolving_to_private_addresses_are_refused(public: RecordingServer) -> None:
    """A name is judged by every address it resolves to: one private answer among public ones refuses it."""
    resolver = TableResolver({"metadata.test": [["169.254.169.254"]], "mixed.test": [["93.184.216.34", "127.0.0.1"]]})
    production = UrlFetcher(LIMITS, resolver=resolver)
    with pytest.raises(UrlRefused, match="169.254.169.254"):
        await production.fetch("http://metadata.test/latest/meta-data/")
    with pytest.raises(UrlRefused, match="127.0.0.1"):
        await production.fetch(public.url("/city.jpg", host="mixed.test"))
    assert public.received == []


@pytest.mark.parametrize(
    "url, reason",
    [
        ("file:///etc/passwd", "only http"),
        ("ftp://photos.test/city.jpg", "only http"),
        ("gopher://photos.test:70/_GET", "only http"),
        ("javascript:alert(1)", "only http"),
        ("//photos.test/city.jpg", "only http"),
        ("http://user:secret@photos.test/city.jpg", "user name or password"),
        ("http://photos.test@127.0.0.2/secret", "user name or password"),
        ("http://photos.test\\@127.0.0.2/secret", "backslashes"),
        ("http://photos.test/city .jpg", "spaces"),
        ("http:///city.jpg", "no host"),
        ("http://photos.test:99999/city.jpg", "port"),
        ("http://[fe80::1%25eth0]/", "zone id"),
        ("", "no URL"),
    ],
)
async def test_urls_with_other_schemes_credentials_or_odd_characters_are_refused(url: str, reason: str) -> None:
    """Only plain http(s) URLs without credentials get as far as a lookup."""
    with pytest.raises(UrlRefused, match=reason):
        await fetcher().fetch(url)


@pytest.mark.parametrize(
    "location",
    ["http://127.0.0.2:{port}/secret", "http://2130706434:{port}/secret", "http://[::ffff:127.0.0.2]:{port}/secret",
     "http://internal.test:{port}/secret", "http://169.254.169.254/latest/meta-data/"],
)
async def test_every_redirect_hop_is_checked_again(
    public: RecordingServer, internal: RecordingServer, location: str
) -> None:
    """An allowed server redirecting to an internal address gets the fetch refused; the internal server hears nothing."""
    public.replies["/go"] = Reply(302, b"", {"Location": location.format(port=internal.port)})
    resolver = TableResolver({"photos.test": [["127.0.0.1"]], "internal.test": [["127.0.0.2"]]})
    with pytest.raises(UrlRefused, match="private or reserved"):
        await fetcher(resolver=resolver).fetch(public.url("/go", host="photos.test"))
    assert len(public.received) == 1
    assert internal.received == []


async def test_redirects_between_allowed_hosts_are_followed(public: RecordingServer) -> None:
    """Relative and absolute redirects to allowed places reach the photo."""
    public.replies["/a"] = Reply(301, b"", {"Location": "/b"})
    public.replies["/b"] = Reply(307, b"", {"Location": public.url("/city.jpg", host="photos.test")})
    fetched = await fetcher().fetch(public.url("/a", host="photos.test"))
    assert fetched.data == PHOTO
    assert [hit.path for hit in public.received] == ["/a", "/b", "/city.jpg"]


async def test_redirect_loops_stop_after_a_few_hops(public: RecordingServer) -> None:
    """A redirect loop is refused after max_redirects hops, without hammering the server."""
    public.replies["/loop"] = Reply(302, b"", {"Location": "/loop"})
    with pytest.raises(UrlRefused, match="too many redirects"):
        await fetcher().fetch(public.url("/loop", host="photos.test"))
    assert len(public.received) == LIMITS.max_redirects + 1


async def test_the_connection_goes_to_the_address_that_was_checked(public: RecordingServer) -> None:
    """DNS rebinding: a name resolving to an allowed address, then to an internal one on the same port, is looked up once."""
    resolver = TableResolver({"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    with serving("127.0.0.2", port=public.port) as internal:
        internal.replies["/city.jpg"] = Reply(200, b"internal secret", JPEG)
        fetched = await fetcher(resolver=resolver).fetch(f"http://rebind.test:{public.port}/city.jpg")
    assert fetched.data == PHOTO
    assert resolver.lookups == {"rebind.test": 1}
    assert internal.received == []


async def test_upstream_errors_give_the_status_but_never_the_body(public: RecordingServer) -> None:
    """A failing server's status is reported; its body (which may hold internal details) is not."""
    public.replies["/broken"] = Reply(500, b"Traceback: db password hunter2", {"Content-Type": "text/plain"})
    with pytest.raises(UpstreamFailed) as caught:
        await fetcher().fetch(public.url("/broken", host="photos.test"))
    assert "500" in str(caught.value)
    assert "hunter2" not in str(caught.value) and "Traceback" not in str(caught.value)


async def test_pages_that_are_not_images_are_refused(public: RecordingServer) -> None:
    """An HTML page is refused by its content type, naming it."""
    public.replies["/page"] = Reply(200, b"<html>a page</html>", {"Content-Type": "text/html; charset=utf-8"})
    with pytest.raises(NotAnImageUrl, match="text/html"):
        await fetcher().fetch(public.url("/page", host="photos.test"))


async def test_photos_over_the_size_cap_are_refused_declared_or_not(public: RecordingServer) -> None:
    """The cap holds whether the server declares a Content-Length or just keeps sending."""
    small = FetchLimits(max_bytes=1000, deadline=2.0)
    public.replies["/declared"] = Reply(200, PHOTO, JPEG)
    public.replies["/streamed"] = Reply(200, PHOTO, JPEG, declare_length=False)
    for path in ("/declared", "/streamed"):
        with pytest.raises(UploadTooLarge, match="larger than"):
            await fetcher(limits=small).fetch(public.url(path, host="photos.test"))


async def test_slow_servers_hit_the_overall_deadline(public: RecordingServer) -> None:
    """A server that stalls is given up on after the deadline."""
    public.replies["/slow"] = Reply(200, PHOTO, JPEG, delay=1.5)
    with pytest.raises(UpstreamTimeout, match="did not arrive"):
        await fetcher(limits=FetchLimits(max_bytes=200_000, deadline=0.5)).fetch(public.url("/slow", host="photos.test"))


async def test_unknown_hosts_are_reported_as_not_found() -> None:
    """A name nobody can resolve is an upstream failure naming the host."""
    with pytest.raises(UpstreamFailed, match="could not find the host nowhere.test"):
        await fetcher().fetch("http://nowhere.test/city.jpg")


def self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    """A throwaway certificate and key for `name` (openssl, EC, valid one day)."""
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
@pytest.mark.parametrize("certificate_for, works", [("photos.test", True), ("other.test", False)])
async def test_https_checks_the_certificate_against_the_name_while_connecting_to_the_checked_address(
    tmp_path: Path, certificate_for: str, works: bool
) -> None:
    """TLS goes to the resolved IP but sends SNI and verifies the certificate for the name the user gave."""
    cert, key = self_signed(tmp_path, certificate_for)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    trust = ssl.create_default_context(cafile=str(cert))
    with serving("127.0.0.1", tls=server_side) as server:
        server.replies["/city.jpg"] = Reply(200, PHOTO, JPEG)
        fetcher = UrlFetcher(LIMITS, policy=TEST_POLICY, resolver=TableResolver({"photos.test": [["127.0.0.1"]]}), verify=trust)
        url = f"https://photos.test:{server.port}/city.jpg"
        if works:
            assert (await fetcher.fetch(url)).data == PHOTO
            assert [hit.host for hit in server.received] == [f"photos.test:{server.port}"]
        else:
            with pytest.raises(UpstreamFailed, match="could not fetch the photo from photos.test"):
                await fetcher.fetch(url)
            assert server.received == []
