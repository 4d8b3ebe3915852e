"""Labels: one answer per user per image, and the effective label resolved in SQL."""

from typing import Optional

from sqlalchemy import Integer, Numeric, Row, Select, and_, case, cast, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from storage.models import LABEL_KINDS, City, Image, Label, Prediction, User

WEIGHT_DECIMALS = 6


def set_label(
    session: Session,
    image: Image,
    user: User,
    city: Optional[City],
    kind: str,
    prediction: Optional[Prediction] = None,
) -> Label:
    """Record (or change) `user`'s answer for `image`; `city=None` means "none of these"."""
    if kind not in LABEL_KINDS:  # a misspelt kind would silently drop out of the "new labels" counts
        raise ValueError(f"unknown label kind {kind!r}; expected one of {', '.join(LABEL_KINDS)}")
    label = _find_label(session, image, user)
    if label is None:
        label = Label(image_id=image.id, user_id=user.id, city_id=city.id if city is not None else None, kind=kind)
        try:
            with session.begin_nested():
                session.add(label)
        except IntegrityError:  # the same person's other tap was stored a moment ago: update that one
            label = _find_label(session, image, user)
    label.city_id = city.id if city is not None else None
    label.kind = kind
    label.prediction_id = prediction.id if prediction is not None else None
    label.model_version = prediction.model_version if prediction is not None else None
    session.flush()
    return label


def _find_label(session: Session, image: Image, user: User) -> Optional[Label]:
    return session.scalars(select(Label).where(Label.image_id == image.id, Label.user_id == user.id)).one_or_none()


def effective_labels_query() -> Select:
    """(image_id, city_id) for every image with a clear label: an admin wins, else the trust-weighted majority.

    A person counts once per photo however many linked accounts they answered from: only their latest
    answer counts, weighted by their primary account's trust, and as an admin's if any of their
    accounts is an admin. Images whose best-weighted answers tie, whose only voters have no trust, or
    whose winner is "none of these" (city None) are left out. One GROUP BY and one window pass over all
    labels (plus one over linked people's labels only), so it scales.
    """
    votes = _person_votes()
    # Rounded so that 0.1 + 0.2 ties with 0.3 on every database, whatever the summing order.
    weight = func.round(cast(func.sum(case((votes.c.admin, 0.0), else_=votes.c.trust)), Numeric), WEIGHT_DECIMALS)
    per_city = (
        select(
            votes.c.image_id,
            votes.c.city_id,
            weight.label("weight"),
            func.max(case((votes.c.admin, votes.c.updated_at))).label("admin_at"),
            func.max(case((votes.c.admin, votes.c.label_id))).label("admin_label"),
        )
        .group_by(votes.c.image_id, votes.c.city_id)
        .subquery("per_city")
    )
    # The newest admin answer sorts first; without one, the heaviest vote does. One window (one sort)
    # gives both the winner and the runner-up's weight, which is how a tie shows.
    window = {
        "partition_by": per_city.c.image_id,
        "order_by": (
            per_city.c.admin_at.desc().nulls_last(),
            per_city.c.admin_label.desc().nulls_last(),
            per_city.c.weight.desc(),
        ),
    }
    ranked = select(
        per_city.c.image_id,
        per_city.c.city_id,
        per_city.c.weight,
        per_city.c.admin_at,
        func.row_number().over(**window).label("place"),
        func.lead(per_city.c.weight).over(**window).label("runner_up"),
    ).subquery("ranked")
    clear_majority = and_(
        ranked.c.weight > 0,
        or_(ranked.c.runner_up.is_(None), ranked.c.runner_up < ranked.c.weight),
    )
    return select(ranked.c.image_id, ranked.c.city_id).where(
        ranked.c.place == 1,
        ranked.c.city_id.is_not(None),
        or_(ranked.c.admin_at.is_not(None), clear_majority),
    )


class _not_an_index(FunctionElement):
    """A column SQLite must not look rows up by; other databases see the column as is."""

    # SQLite then scans labels in ix_labels_resolution order (GROUP BY without a sort) instead of
    # fetching each person's labels; PostgreSQL keeps its statistics (an expression there misjudged
    # the join and paid 0.5 s of JIT).

    inherit_cache = True
    type = Integer()


@compiles(_not_an_index)
def _plain_column(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(_not_an_index, "sqlite")
def _unary_plus_column(element, compiler, **kw) -> str:
    return "+" + compiler.process(element.clauses, **kw)  # SQLite's documented way to keep an index out


def _people():
    """Per user (3,000 rows, not 1M labels): their person's id, the primary's trust, admin if any account is, linked or not."""
    person = func.coalesce(User.person_id, User.id)
    primary = aliased(User, name="primary_account")
    account = aliased(User, name="account")
    of_same_person = or_(account.id == person, account.person_id == person)
    return (
        select(
            User.id.label("user_id"),
            person.label("person_id"),
            func.coalesce(primary.trust, User.trust).label("trust"),
            exists(select(account.id).where(of_same_person, account.is_admin.is_(True))).label("admin"),
            exists(select(account.id).where(of_same_person, account.id != User.id)).label("linked"),
        )
        .outerjoin(primary, primary.id == User.person_id)
        # Worked out once per query: inlined, SQLite would redo these subqueries for every label.
        .cte("people")
        .prefix_with("MATERIALIZED")
    )


def _person_votes():
    """Each label that counts (image_id, city_id, updated_at, label_id, trust, admin): a person's latest per photo."""
    people = _people()
    return (
        select(
            Label.image_id,
            Label.city_id,
            Label.updated_at,
            Label.id.label("label_id"),
            people.c.trust,
            or_(Label.kind == "admin", people.c.admin).label("admin"),
        )
        .join(people, people.c.user_id == _not_an_index(Label.user_id))
        .where(or_(people.c.linked.is_(False), Label.id.not_in(_superseded_label_ids(people))))  # most have one account
        .subquery("votes")
    )


def _superseded_label_ids(people) -> Select:
    """Labels of people with linked accounts that their own newer answer on the same photo replaces.

    Only linked people's labels are ranked, by one window; a correlated check per label made
    PostgreSQL cost the whole query at millions and spend half a second compiling it (JIT).
    """
    newest_first = func.row_number().over(
        partition_by=(Label.image_id, people.c.person_id), order_by=(Label.updated_at.desc(), Label.id.desc())
    )
    ranked = (
        select(Label.id, newest_first.label("newness"))
        .join(people, people.c.user_id == Label.user_id)
        .where(people.c.linked.is_(True))
        .subquery("linked_labels")
    )
    return select(ranked.c.id).where(ranked.c.newness > 1)


def effective_labels(session: Session, active_only: bool = True, include_excluded: bool = False) -> list[tuple[Image, City]]:
    """Images paired with their effective city (active cities and training images only, by default)."""
    query = _effective_select((Image, City), active_only, include_excluded)
    return [(image, city) for image, city in session.execute(query)]


def effective_label_rows(session: Session, active_only: bool = True, include_excluded: bool = False) -> list[Row]:
    """Like effective_labels, as light rows (image_id, sha256, path, group_key, city): no ORM objects, so 200k photos stay fast."""
    columns = (Image.id.label("image_id"), Image.sha256, Image.path, Image.group_key, City.name.label("city"))
    return list(session.execute(_effective_select(columns, active_only, include_excluded)))


def _effective_select(columns: tuple, active_only: bool, include_excluded: bool) -> Select:
    resolved = effective_labels_query().subquery("effective")
    query = (
        select(*columns)
        .join(resolved, resolved.c.image_id == Image.id)
        .join(City, City.id == resolved.c.city_id)
        .order_by(Image.id)
    )
    if active_only:
        query = query.where(City.active.is_(True))
    if not include_excluded:
        query = query.where(Image.excluded.is_(False))
    return query


def effective_label_counts(session: Session) -> dict[str, int]:
    """Number of effectively labelled training images per active city."""
    resolved = effective_labels_query().subquery("effective")
    query = (
        select(City.name, func.count(Image.id))
        .join(resolved, resolved.c.city_id == City.id)
        .join(Image, and_(Image.id == resolved.c.image_id, Image.excluded.is_(False)))
        .where(City.active.is_(True))
        .group_by(City.name)
    )
    counts = {city.name: 0 for city in session.scalars(select(City).where(City.active.is_(True)))}
    counts.update({name: count for name, count in session.execute(query)})
    return counts


def unlabelled_image_count(session: Session) -> int:
    """Photos nobody has labelled yet (pending)."""
    labelled = select(Label.id).where(Label.image_id == Image.id).exists()
    return session.scalar(select(func.count(Image.id)).where(~labelled)) or 0


def labels_since(session: Session, since, kinds: tuple[str, ...] = ("caption", "confirmation", "correction", "admin")) -> int:
    """Labels of the given kinds added or changed after `since` (None: ever)."""
    query = select(func.count(Label.id)).where(Label.kind.in_(kinds))
    if since is not None:
        query = query.where(Label.updated_at > since)
    return session.scalar(query) or 0
