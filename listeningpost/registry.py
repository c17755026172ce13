"""One registry class for every kind of pluggable part (ASR engines, translation and analysis
engines, export and transcript formats): named implementations of one protocol, filled by a class
decorator, with the plugin modules named in ``listeningpost.plugins`` imported on first lookup."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

T = TypeVar("T")


class Registry(dict):
    """``name -> implementation`` (a factory, or an instance with ``instantiate=True``)."""

    def __init__(self, what: str, plugins: str | None = None, instantiate: bool = False, sort: bool = False,
                 error: type[Exception] = ValueError, on_register: Callable[[Any], None] | None = None,
                 sets_name: bool = True):
        super().__init__()
        self.what, self.plugins, self.instantiate, self.sort = what, plugins, instantiate, sort
        self.error, self.on_register, self.sets_name = error, on_register, sets_name

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator: ``@REGISTRY.register("name")``; a name registered again is replaced (and
        moves to the end of the listing)."""

        def deco(factory: T) -> T:
            item = factory() if self.instantiate else factory
            if self.sets_name:  # the implementation learns the name it is registered under
                item.name = name
            self.pop(name, None)
            self[name] = item
            if self.on_register:
                self.on_register(item)
            return factory

        return deco

    def load_plugins(self) -> None:
        """Import the modules that ``listeningpost.plugins.<plugins>`` names, so they register."""
        if self.plugins:
            from listeningpost import plugins

            for module in getattr(plugins, self.plugins):
                plugins.import_optional(module)

    def names(self) -> list[str]:
        self.load_plugins()
        return sorted(self) if self.sort else list(self)

    def check(self, name: str) -> None:
        if name not in self.names():
            raise self.error(f"unknown {self.what} {name!r}; available: {', '.join(self.names())}")

    def lookup(self, name: str) -> Any:
        self.check(name)
        return self[name]
