"""/stats counts every linked account of a person; /forget forgets only the account that asked."""

from sqlalchemy import select

from bot.core.account import forget, user_stats
from bot.core.users import UserRef
from storage.cities import get_city
from storage.ingest import ingest_image
from storage.labels import set_label
from storage.models import Image, User
from storage.users import account_name, get_or_create_user, link_users, person_accounts
from tests.synthetic import photo_bytes

ANN_TELEGRAM = UserRef("telegram", "123", "Ann")
ANN_DISCORD = UserRef("discord", "456", "ann")
ANN_WEB = UserRef("web", "ann", "Ann")


def teach(session, store, user: UserRef, seed: int, city: str) -> Image:
    """`user` sends a photo of `city` with its name, as a caption would store it."""
    account = get_or_create_user(session, user.platform, user.external_id, user.display_name)
    image = ingest_image(session, store.files, photo_bytes(city, seed), user.platform, uploader=account).image
    set_label(session, image, account, get_city(session, city), "caption")
    return image


def test_stats_count_every_linked_account(any_store):
    """Ann's photos from Telegram and Discord both show in /stats asked from either account once linked."""
    with any_store.transaction() as session:
        teach(session, any_store, ANN_TELEGRAM, 1, "Cebu")
        teach(session, any_store, ANN_DISCORD, 2, "Seoul")
        teach(session, any_store, ANN_DISCORD, 3, "Munich")
        assert (user_stats(session, ANN_TELEGRAM).photos, user_stats(session, ANN_DISCORD).photos) == (1, 2)
        primary, other = (session.scalars(select(User).where(User.platform == p)).one() for p in ("telegram", "discord"))
        link_users(session, primary, other)
        for asking in (ANN_TELEGRAM, ANN_DISCORD):
            stats = user_stats(session, asking)
            assert (stats.photos, stats.labels, stats.captions) == (3, 3, 3)


def test_forget_removes_only_the_asking_account(any_store):
    """Forgetting Ann's primary Telegram account keeps her Discord and web data, and Discord becomes the primary."""
    with any_store.transaction() as session:
        shared = teach(session, any_store, ANN_TELEGRAM, 4, "Cebu")
        teach(session, any_store, ANN_TELEGRAM, 5, "Munich")
        kept = teach(session, any_store, ANN_DISCORD, 6, "Seoul")
        discord = get_or_create_user(session, "discord", "456")
        set_label(session, shared, discord, get_city(session, "Cebu"), "confirmation")
        telegram, web = get_or_create_user(session, "telegram", "123"), get_or_create_user(session, "web", "ann")
        link_users(session, telegram, discord)
        link_users(session, telegram, web)
    gone = forget(any_store, ANN_TELEGRAM)
    assert (gone.photos, gone.labels) == (1, 2)
    with any_store.transaction() as session:
        assert sorted(image.id for image in session.scalars(select(Image))) == sorted([shared.id, kept.id])
        discord = get_or_create_user(session, "discord", "456")
        assert [account_name(account) for account in person_accounts(session, discord)] == ["discord:456", "web:ann"]
        assert user_stats(session, ANN_WEB).labels == 2 and user_stats(session, ANN_TELEGRAM).labels == 0
