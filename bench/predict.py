"""Bytes → ranking, our Predictor versus fastai's `learn.predict`, on the same model and the same 50 photos.

Run: .venv/bin/python bench/predict.py [--rounds N]   (first run also builds bench/out: ~1 min photos, ~2-4 min model)
Photos are interleaved (fastai, ours, ours without draft decoding) so load on a shared machine hits all alike.
"""

import argparse
import time
import warnings
from collections import defaultdict

from common import bench_photos, cpu_note, summary
from model import bench_model

OURS = "ours (Predictor.predict)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="passes over the 50 photos (default 1)")
    rounds = parser.parse_args().rounds
    photos = bench_photos()
    learner_file, version_dir = bench_model()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import torch
        import trainer.fastai_import  # noqa: F401
        from fastai.learner import load_learner
        from fastai.vision.core import PILImage
    from storage.imageio import load_rgb
    from trainer.predictor import Predictor

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the pickle warning: this export.pkl is our own, made by bench/model.py
        learn = load_learner(learner_file)
    predictor = Predictor.load(version_dir)

    default_threads = torch.get_num_threads()

    def fastai_ranking(data: bytes, threads: int) -> list[tuple[str, float]]:
        # What the course app did per request: decode, learn.predict (a DataLoader per photo), sort the classes.
        torch.set_num_threads(threads)
        with learn.no_bar():
            _, _, probabilities = learn.predict(PILImage.create(data))
        return sorted(zip(learn.dls.vocab, map(float, probabilities)), key=lambda pair: -pair[1])

    def ours_without_draft(data: bytes) -> list[tuple[str, float]]:
        return predictor.predict_images([load_rgb(data)])[0]

    # torch's default (one OpenMP thread per core) collapses when other processes want the cores too; one thread
    # does not. Both are shown and the faster one is the baseline, so the comparison is never with a strawman.
    methods = {
        f"fastai, torch {default_threads} threads": lambda data: fastai_ranking(data, default_threads),
        "fastai, torch 1 thread": lambda data: fastai_ranking(data, 1),
        "ours, full decode": ours_without_draft,
        OURS: predictor.predict,
    }
    for method in methods.values():  # warm-up: first calls build caches and thread pools
        method(photos[0][2])

    times: dict[str, list[float]] = defaultdict(list)
    by_group: dict[tuple[str, str], float] = defaultdict(float)
    answers: dict[str, dict[str, list]] = defaultdict(dict)
    for _ in range(rounds):
        for _, name, data in photos:
            for label, method in methods.items():
                start = time.perf_counter()
                ranking = method(data)
                elapsed = time.perf_counter() - start
                times[label].append(elapsed)
                by_group[(label, name.split("-")[2] + ("-exif" if "-o6" in name else ""))] += elapsed
                answers[label][name] = ranking

    fastest = min((label for label in times if label.startswith("fastai")), key=lambda label: sum(times[label]))
    baseline = sum(times[fastest])
    print(f"bench/predict.py: {len(photos)} photos × {rounds} rounds, {cpu_note()}; ratios against {fastest!r}")
    print(f"{'method':28s} {'total s':>8s} {'ratio':>6s}  per photo")
    for label, values in times.items():
        print(f"{label:28s} {sum(values):8.2f} {sum(values) / baseline:5.2f}×  {summary(values)}")
    print("\nper size (total seconds over all rounds; ratio ours/fastai):")
    groups = sorted({group for _, group in by_group}, key=lambda g: -int(g.split("x")[0]))
    for group in groups:
        theirs, ours = by_group[(fastest, group)], by_group[(OURS, group)]
        print(f"  {group:16s} fastai {theirs:6.2f}  ours {ours:6.2f}  {ours / theirs:5.2f}×")
    _agreement(answers, fastest)


def _agreement(answers: dict[str, dict[str, list]], fastai_label: str) -> None:
    reference = answers[fastai_label]
    for label in ("ours, full decode", OURS):
        same_top = sum(answers[label][name][0][0] == reference[name][0][0] for name in reference)
        upright = [name for name in reference if "-o6" not in name]
        worst = max(
            abs(dict(answers[label][name])[city] - probability) for name in upright for city, probability in reference[name]
        )
        print(f"{label} vs fastai: same top-1 on {same_top}/{len(reference)} photos; "
              f"max |Δp| {worst:.4f} on the {len(upright)} without EXIF rotation (fastai ignores EXIF orientation)")


if __name__ == "__main__":
    main()
