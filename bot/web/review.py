"""What the admin reviews: photos users disagree about, and the admin's relabel / remove-from-training actions."""

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from bot.core.users import UserRef, user_row
from bot.web.errors import NotFound
from storage.cities import match_city
from storage.labels import set_label
from storage.models import City, Image, Label, User

NONE_OF_THESE = "none of these"


@dataclass(frozen=True)
class Disagreement:
    """A photo whose labellers gave different answers: votes per answer, and the admin's word if any."""

    image_id: int
    votes: dict[str, int]
    admin_label: Optional[str]
    excluded: bool


def disagreements(session: Session, limit: int = 50) -> list[Disagreement]:
    """Photos with at least two different answers among their labels, most recently changed first."""
    answer = func.coalesce(Label.city_id, -1)
    disputed = (
        select(Label.image_id)
        .group_by(Label.image_id)
        .having(func.count(distinct(answer)) > 1)
        .order_by(func.max(Label.updated_at).desc())
        .limit(limit)
    )
    image_ids = list(session.scalars(disputed))
    rows = session.execute(
        select(Label.image_id, City.name, Label.kind, User.is_admin)
        .join(User, User.id == Label.user_id)
        .outerjoin(City, City.id == Label.city_id)
        .where(Label.image_id.in_(image_ids))
        .order_by(Label.updated_at)
    )
    votes: dict[int, dict[str, int]] = {image_id: {} for image_id in image_ids}
    admin: dict[int, str] = {}
    for image_id, city, kind, by_admin in rows:
        name = city or NONE_OF_THESE
        if kind == "admin" or by_admin:
            admin[image_id] = name
        else:
            votes[image_id][name] = votes[image_id].get(name, 0) + 1
    excluded = dict(session.execute(select(Image.id, Image.excluded).where(Image.id.in_(image_ids))).all())
    return [Disagreement(i, votes[i], admin.get(i), bool(excluded.get(i))) for i in image_ids]


def image_or_404(session: Session, image_id: int) -> Image:
    """The stored image, or NotFound."""
    image = session.get(Image, image_id)
    if image is None:
        raise NotFound(f"no photo {image_id}")
    return image


def relabel(session: Session, image_id: int, city_name: str, admin: UserRef) -> str:
    """Give a photo the admin's label (it overrides every vote); returns the city's proper name."""
    image = image_or_404(session, image_id)
    city = match_city(session, city_name)
    set_label(session, image, user_row(session, admin), city, "admin")
    return city.name


def set_excluded(session: Session, image_id: int, excluded: bool) -> None:
    """Remove a photo from training (or put it back); its labels stay."""
    image_or_404(session, image_id).excluded = excluded
