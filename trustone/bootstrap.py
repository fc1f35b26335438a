"""Composition root: builds the applications from settings. Tests pass their own settings."""

from __future__ import annotations

from dataclasses import dataclass

from registry.application import RegistryApplication
from trustone.settings import Settings


@dataclass
class Services:
    settings: Settings
    registry: RegistryApplication

    def close(self) -> None:
        self.registry.close()


def bootstrap(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    registry = RegistryApplication(env=settings.application_env(RegistryApplication.name))
    return Services(settings=settings, registry=registry)
