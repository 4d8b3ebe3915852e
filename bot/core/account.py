"""A user's own data: what they contributed (/stats, across linked accounts) and deleting it (/forget, one account)."""

from sqlalchemy import delete, func, select, update

from bot.core.results import Forgotten, UserStats
from bot.core.users import UserRef
from storage.models import Image, Label, Prediction, User
from storage.store import LabelStore
from storage.users import person_accounts, unlink_user
from storage.versions import live_version


def find_user(session, user: UserRef):
    """The stored user for `user`, or None if they never sent anything."""
    return session.scalars(
        select(User).where(User.platform == user.platform, User.external_id == str(user.external_id))
    ).one_or_none()


def user_stats(session, user: UserRef) -> UserStats:
    """The person's photos and labels by kind from all their linked accounts, the store's totals and the live model."""
    person = find_user(session, user)
    kinds: dict[str, int] = {}
    photos = 0
    if person is not None:
        accounts = [account.id for account in person_accounts(session, person)]
        rows = session.execute(select(Label.kind, func.count()).where(Label.user_id.in_(accounts)).group_by(Label.kind))
        kinds = {kind: count for kind, count in rows}
        photos = session.scalar(select(func.count(Image.id)).where(Image.uploader_id.in_(accounts))) or 0
    live = live_version(session)
    return UserStats(
        photos=photos,
        labels=sum(kinds.values()),
        confirmations=kinds.get("confirmation", 0),
        corrections=kinds.get("correction", 0),
        captions=kinds.get("caption", 0),
        total_images=session.scalar(select(func.count(Image.id))) or 0,
        total_labels=session.scalar(select(func.count(Label.id))) or 0,
        live_version=live.version if live is not None else None,
        live_accuracy=(live.metrics or {}).get("accuracy") if live is not None else None,
    )


def forget(store: LabelStore, user: UserRef) -> Forgotten:
    """Delete this account's labels and the photos it sent that nobody else labelled; files go after commit.

    Only the account that asked is forgotten: the person's linked accounts on other platforms keep
    their data (their labels keep shared photos alive), and if this was the primary account the
    oldest linked one becomes the primary.
    """
    with store.transaction() as session:
        person = find_user(session, user)
        if person is None:
            return Forgotten(photos=0, labels=0)
        if len(person_accounts(session, person)) > 1:
            unlink_user(session, person)
        others = select(Label.image_id).where(Label.user_id != person.id)
        doomed = list(
            session.execute(select(Image.id, Image.path).where(Image.uploader_id == person.id, Image.id.not_in(others)))
        )
        doomed_ids = [image_id for image_id, _ in doomed]
        labels = session.execute(delete(Label).where(Label.user_id == person.id)).rowcount
        session.execute(delete(Prediction).where(Prediction.image_id.in_(doomed_ids)))
        session.execute(update(Prediction).where(Prediction.user_id == person.id).values(user_id=None))
        session.execute(delete(Image).where(Image.id.in_(doomed_ids)))
        session.execute(update(Image).where(Image.uploader_id == person.id).values(uploader_id=None))
        session.execute(delete(User).where(User.id == person.id))
    for _, path in doomed:
        store.files.delete(path)
    return Forgotten(photos=len(doomed), labels=labels)
