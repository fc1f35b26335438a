"""Projection rebuild speed against its baseline (issue 12 item 2), on one store:

    .venv/bin/python bench/rebuild_speed.py [--backend sqlite|postgres] [--scale 1]

Imports the bench data set (bench/data.py: at 1x, 50 companies x 100 links over 500 sites), then
- baseline: reading and decoding, once per registry view, the events of the view's topics;
- rebuild: ``ProjectionRunner.rebuild()`` of every registry view (the same events, applied).
Prints events/s of both and their ratio. (The full harness is ``python -m bench``.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import data as bench_data
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from trustone.bootstrap import bootstrap


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    from bench.stores import fresh_settings

    with tempfile.TemporaryDirectory() as work, fresh_settings(args.backend, Path(work)) as settings:
        services = bootstrap(settings)
        try:
            dataset = bench_data.make(args.scale)
            registry = services.registry
            for ref in dataset.companies:
                registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
                registry.join(ref, dt.date(bench_data.YEAR - 1, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
            for ref in dataset.companies:
                registry.import_report(
                    ref,
                    bench_data.YEAR,
                    dataset.csv(ref),
                    f"{ref}.csv",
                    submitted_on=dt.date(bench_data.YEAR + 1, 3, 1),
                )
            services.catch_up()
            runner, app = services.projections, services.registry
            started, decoded = time.perf_counter(), 0
            for recorder in runner.recorders.values():
                last = 0
                while notifications := app.recorder.select_notifications(
                    start=last + 1, limit=1000, topics=recorder.view.topics
                ):
                    for notification in notifications:
                        app.mapper.to_domain_event(notification)
                        last = notification.id
                    decoded += len(notifications)
            baseline = decoded / (time.perf_counter() - started)
            started = time.perf_counter()
            applied = runner.rebuild()
            seconds = time.perf_counter() - started
            rate = applied / seconds
            print(
                f"{args.backend} x{args.scale:g}: log {app.recorder.max_notification_id()} notifications; "
                f"rebuild {applied} events in {seconds:.2f} s = {rate:,.0f} events/s; "
                f"baseline read+decode {baseline:,.0f} events/s; ratio {rate / baseline:.2f}"
            )
        finally:
            services.close()


if __name__ == "__main__":
    main()
