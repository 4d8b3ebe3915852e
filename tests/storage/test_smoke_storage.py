"""A first end-to-end check of the label store on both databases."""

import io

from PIL import Image as PILImage

from storage.cities import get_city
from storage.ingest import ingest_image
from storage.labels import effective_labels, set_label
from storage.users import get_or_create_user


def test_majority_label_becomes_effective(any_store):
    """Two of three users agreeing makes their city the photo's label."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), (10, 200, 10)).save(buffer, "PNG")
    with any_store.transaction() as session:
        image = ingest_image(session, any_store.files, buffer.getvalue(), "test").image
        munich, seoul = get_city(session, "Munich"), get_city(session, "Seoul")
        for user_id, city in ((1, munich), (2, seoul), (3, munich)):
            set_label(session, image, get_or_create_user(session, "telegram", user_id), city, "correction")
    with any_store.transaction() as session:
        assert [(i.sha256, c.name) for i, c in effective_labels(session)] == [(image.sha256, "Munich")]
