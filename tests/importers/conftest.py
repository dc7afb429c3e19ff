from pathlib import Path

import pytest

from tests.factories import make_site

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def site(db):
    return make_site("lebigdata", origins=["https://www.lebigdata.fr"])
