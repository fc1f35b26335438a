"""How registry value objects are stored in events (JSON), registered on each application."""

from __future__ import annotations

import datetime as dt

from eventsourcing.persistence import JSONTranscoder, Transcoding

from registry.domain.geography import Coordinates, RegionPath


class DateAsISO(Transcoding):
    type = dt.date
    name = "date_iso"

    def encode(self, obj: dt.date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> dt.date:
        return dt.date.fromisoformat(data)


class RegionPathAsList(Transcoding):
    type = RegionPath
    name = "region_path"

    def encode(self, obj: RegionPath) -> list[str]:
        return [obj.country, obj.province, obj.district]

    def decode(self, data: list[str]) -> RegionPath:
        return RegionPath(*data)


class CoordinatesAsList(Transcoding):
    type = Coordinates
    name = "coordinates"

    def encode(self, obj: Coordinates) -> list[float]:
        return [obj.latitude, obj.longitude]

    def decode(self, data: list[float]) -> Coordinates:
        return Coordinates(*data)


def register_registry_transcodings(transcoder: JSONTranscoder) -> None:
    for transcoding in (DateAsISO(), RegionPathAsList(), CoordinatesAsList()):
        transcoder.register(transcoding)
