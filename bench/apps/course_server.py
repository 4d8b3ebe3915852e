"""The course app, minimally: Starlette, fastai `load_learner` at start-up, `learn.predict` per upload.

The baseline for bench/footprint.py: `python bench/apps/course_server.py EXPORT_PKL PORT` (kept out of bench/*.py,
which `make bench` runs one by one). Like the course's Render
template it predicts inside the request handler; the answer is every class with its probability, best first.
"""

import sys
import warnings
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # export.pkl names trainer.archs functions

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastai.learner import load_learner
    from fastai.vision.core import PILImage

    learn = load_learner(sys.argv[1])


async def classify(request: Request) -> JSONResponse:
    """POST /api/classify with the photo in field `file`: the ranking."""
    form = await request.form()
    data = await form["file"].read()
    with learn.no_bar():
        _, _, probabilities = learn.predict(PILImage.create(data))
    ranking = sorted(zip(learn.dls.vocab, map(float, probabilities)), key=lambda pair: -pair[1])
    return JSONResponse({"predictions": ranking})


app = Starlette(routes=[Route("/api/classify", classify, methods=["POST"])])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
