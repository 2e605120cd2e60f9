"""Find, read, merge and check the catalog files."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from trustmap.catalog.schema import (
    CategoryEntry,
    CategoryFile,
    Condition,
    Control,
    ControlFile,
    LayerEntry,
    LayerFile,
    PlaceFile,
    Places,
    Service,
    ServiceFile,
    ServiceModelEntry,
    SeverityFile,
    SeverityPolicy,
    Threat,
    ThreatFile,
)
from trustmap.diagnostics import Diagnostic, Span, did_you_mean, format_diagnostics, has_errors
from trustmap.input_file import read_input_file
from trustmap.schema_errors import diagnostics_from_validation_error
from trustmap.source import Document, load_yaml
from trustmap.source import Path as DataPath

__all__ = ["Catalog", "CatalogError", "builtin_catalog_dir", "load_catalog"]

_M = TypeVar("_M", bound=BaseModel)


class CatalogError(Exception):
    """The catalog files are broken; `diagnostics` says where."""

    def __init__(self, diagnostics: Sequence[Diagnostic], sources: Mapping[str, Sequence[str]]) -> None:
        self.diagnostics = tuple(diagnostics)
        self.sources = dict(sources)
        super().__init__(self.render())

    def render(self) -> str:
        blocks = []
        for diagnostic in sorted(self.diagnostics, key=Diagnostic.sort_key):
            lines = self.sources.get(diagnostic.path, ())
            blocks.append(format_diagnostics([diagnostic], lines))
        return "\n".join(blocks)


@dataclass(frozen=True)
class Origin:
    """Where a catalog entry is defined."""

    path: str
    span: Span | None


@dataclass(frozen=True)
class Catalog:
    """Read-only knowledge: every lookup the engine and renderers need."""

    layers: Mapping[str, LayerEntry]
    service_models: Mapping[str, ServiceModelEntry]
    categories: Mapping[str, CategoryEntry]
    severity: SeverityPolicy
    services: Mapping[str, Service]
    controls: Mapping[str, Control]
    threats: Mapping[str, Threat]
    origins: Mapping[tuple[str, str], Origin] = field(default_factory=dict)
    #: AWS regions, countries and jurisdictions, for `region` and `residency` (format 1.2)
    places: Places = field(default_factory=Places)
    service_aliases: Mapping[str, str] = field(default_factory=dict)
    control_aliases: Mapping[str, str] = field(default_factory=dict)
    #: a threat's code and old ids (aliases) -> its id
    threat_aliases: Mapping[str, str] = field(default_factory=dict)
    #: control id -> the ids of the threats it mitigates, in catalog order
    mitigates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: a content hash of every file read, so builds can tell when the catalog changed
    digest: str = ""

    def service(self, service_id: str) -> Service | None:
        canonical = self.service_aliases.get(service_id, service_id)
        return self.services.get(canonical)

    def canonical_service(self, service_id: str) -> str | None:
        canonical = self.service_aliases.get(service_id, service_id)
        return canonical if canonical in self.services else None

    def canonical_control(self, control_id: str) -> str | None:
        canonical = self.control_aliases.get(control_id, control_id)
        return canonical if canonical in self.controls else None

    def canonical_threat(self, threat_id: str) -> str | None:
        """The id of the threat named by its id, its code or an old id."""
        canonical = threat_id if threat_id in self.threats else self.threat_aliases.get(threat_id)
        return canonical if canonical in self.threats else None

    def threats_mitigated_by(self, control_id: str) -> tuple[str, ...]:
        """The threats a control mitigates, in catalog order."""
        return self.mitigates.get(control_id, ())

    def responsibility(self, service_id: str) -> dict[str, str]:
        """The owner of every layer for a service: its model's split, then its overrides."""
        service = self.services[service_id]
        base = self.service_models[service.service_model].responsibility
        split: dict[str, str] = {str(k): v for k, v in base.items()}
        split.update({str(k): v for k, v in service.responsibility.items()})
        return {layer: split[layer] for layer in self.layers}

    def evidenced_controls(self, service_id: str) -> frozenset[str]:
        """Account-wide controls that a component of this service evidences for the whole model.

        Only controls of model scope: a `waf` component is evidence that the account uses AWS
        WAF, not that every entry point has a web ACL (that is judged per entry point)."""
        service = self.services[service_id]
        named = [service_id, *service.evidences]
        return frozenset(c for c in named if c in self.controls and self.controls[c].scope == "model")


def builtin_catalog_dir() -> Path:
    """The built-in catalog: packaged in the wheel, or the checkout's `models/` folder. (A
    folder on disk: trustmap is not run from a zip, and `importlib.resources` would add a
    tenth of `trustmap validate`'s start-up.)"""
    here = Path(__file__).resolve()
    packaged = here.parents[1] / "_data" / "models"
    if packaged.is_dir():
        return packaged
    return here.parents[3] / "models"


@dataclass(frozen=True)
class _File:
    """A catalog file as read: its bytes, or None and why it could not be read."""

    schema: type[BaseModel]
    shown: str
    raw: bytes | None
    unreadable: tuple[Diagnostic, ...]


@dataclass(frozen=True)
class _Layer:
    """One catalog directory (the built-in one, then each --catalog), its files in reading order."""

    label: str
    files: tuple[_File, ...]
    missing: Diagnostic | None = None


#: the files of a catalog directory, in the order they are read and merged
_KINDS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("layers", LayerFile),
    ("categories", CategoryFile),
    ("severity", SeverityFile),
    ("places", PlaceFile),
    ("services", ServiceFile),
    ("controls", ControlFile),
    ("threats", ThreatFile),
)


def _read_layer(directory: Path, label: str) -> _Layer:
    if not directory.is_dir():
        problem = "is not a directory" if directory.exists() else "does not exist"
        message = f"the catalog directory '{label}' {problem}"
        return _Layer(label, (), Diagnostic("E001", message, label, None))
    files = []
    for kind, schema in _KINDS:
        for file in _files(directory, kind):
            shown = _shown(file, directory, label)
            raw, unreadable = read_input_file(file, shown)
            files.append(_File(schema, shown, raw, tuple(unreadable)))
    return _Layer(label, tuple(files))


@dataclass
class _Reader:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hashes: list[str] = field(default_factory=list)

    def read(self, file: _File, schema: type[_M]) -> tuple[_M, Document] | None:
        import hashlib

        if file.raw is None:
            self.diagnostics.extend(file.unreadable)
            return None
        self.hashes.append(file.shown + ":" + hashlib.sha256(file.raw).hexdigest())
        document, problems = load_yaml(file.shown, file.raw)
        self.diagnostics.extend(problems)
        if document is None:
            return None
        self.sources[file.shown] = document.lines
        try:
            return schema.model_validate(document.data), document
        except ValidationError as error:
            self.diagnostics.extend(diagnostics_from_validation_error(error, document, schema))
            return None


def _files(directory: Path, name: str) -> list[Path]:
    single = directory / f"{name}.yaml"
    found = [single] if single.is_file() else []
    folder = directory / name
    if folder.is_dir():
        found.extend(sorted(folder.glob("*.yaml")))
    return found


def _shown(file: Path, directory: Path, label: str) -> str:
    return f"{label}/{file.relative_to(directory).as_posix()}"


def load_catalog(extra_dirs: Iterable[Path] = (), *, cache_dir: Path | None = None) -> Catalog:
    """Read the built-in catalog and layer `extra_dirs` over it, in order.

    With `cache_dir`, the compiled catalog is kept there and read back while no file changed
    (`trustmap.catalog.cache`); the result is the same either way. Raises `CatalogError` with
    positioned diagnostics when any file is broken (a broken catalog is never cached).
    """
    directories: dict[str, Path] = {"models": builtin_catalog_dir()}
    for extra in extra_dirs:
        directories[str(extra)] = extra
    layers = [_read_layer(directory, label) for label, directory in directories.items()]
    if cache_dir is None:
        return compile_catalog(layers)
    from trustmap.catalog import cache

    files = [(f.shown, f.raw) for layer in layers for f in layer.files]
    readable = [(shown, raw) for shown, raw in files if raw is not None]
    if len(readable) < len(files) or any(layer.missing for layer in layers):
        return compile_catalog(layers)  # it fails, with the diagnostics of what is missing
    key = cache.cache_key(readable)
    cached = cache.read_cached(cache_dir, key)
    if cached is not None:
        return cached
    catalog = compile_catalog(layers)
    cache.write_cached(cache_dir, key, catalog)
    return catalog


def compile_catalog(layers: Iterable[_Layer]) -> Catalog:
    """Parse, check and merge the files read from each catalog directory, in order."""
    reader = _Reader()
    state = _Merged()
    for layer in layers:
        if layer.missing is not None:
            reader.diagnostics.append(layer.missing)
            continue
        state.read_layer(reader, layer)
    if not has_errors(reader.diagnostics):
        reader.diagnostics.extend(state.check())
    if has_errors(reader.diagnostics):
        raise CatalogError(reader.diagnostics, reader.sources)
    return state.build("\n".join(reader.hashes))


@dataclass
class _Merged:
    layer_file: LayerFile | None = None
    categories: dict[str, CategoryEntry] = field(default_factory=dict)
    severity: SeverityPolicy | None = None
    services: dict[str, Service] = field(default_factory=dict)
    controls: dict[str, Control] = field(default_factory=dict)
    threats: dict[str, Threat] = field(default_factory=dict)
    places: Places = field(default_factory=Places)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    documents: dict[tuple[str, str], tuple[Document, DataPath]] = field(default_factory=dict)

    def read_layer(self, reader: _Reader, layer: _Layer) -> None:
        for file in layer.files:
            self._read_file(reader, file)

    def _read_file(self, reader: _Reader, file: _File) -> None:
        if file.schema is LayerFile:
            if (got := reader.read(file, LayerFile)) is not None:
                self.layer_file = got[0]
        elif file.schema is CategoryFile:
            if (got_c := reader.read(file, CategoryFile)) is not None:
                self.categories.update({str(k): v for k, v in got_c[0].categories.items()})
        elif file.schema is SeverityFile:
            if (got_s := reader.read(file, SeverityFile)) is not None:
                self.severity = got_s[0].severity
        elif file.schema is PlaceFile:
            if (got_p := reader.read(file, PlaceFile)) is not None:
                new = got_p[0].places
                self.places = Places(
                    as_of=new.as_of or self.places.as_of,
                    regions={**self.places.regions, **new.regions},
                    jurisdictions={**self.places.jurisdictions, **new.jurisdictions},
                    countries=sorted({*self.places.countries, *new.countries}),
                )
        elif file.schema is ServiceFile:
            if (got_v := reader.read(file, ServiceFile)) is not None:
                for key, service in got_v[0].services.items():
                    self._remember("service", key, got_v[1], ("services", key))
                    self.services[key] = service
        elif file.schema is ControlFile:
            if (got_k := reader.read(file, ControlFile)) is not None:
                for index, control in enumerate(got_k[0].controls):
                    where = ("controls", index)
                    self._add(reader, "control", control.id, got_k[1], where, self.controls, control)
        elif (got_t := reader.read(file, ThreatFile)) is not None:
            for index, threat in enumerate(got_t[0].threats):
                self._add(reader, "threat", threat.id, got_t[1], ("threats", index), self.threats, threat)

    def _add(
        self,
        reader: _Reader,
        kind: str,
        entry_id: str,
        document: Document,
        path: DataPath,
        table: dict[str, Any],
        entry: Any,
    ) -> None:
        previous = self.origins.get((kind, entry_id))
        if previous is not None and previous.path.split("/")[0] == document.path.split("/")[0]:
            # The same id twice within one catalog layer is a mistake, not an override.
            reader.diagnostics.append(
                Diagnostic(
                    "E209",
                    f"{kind} id '{entry_id}' is already defined at {previous.path}:"
                    f"{previous.span.line if previous.span else 1}",
                    document.path,
                    document.source_map.value((*path, "id")),
                )
            )
        self._remember(kind, entry_id, document, path)
        table[entry_id] = entry

    def _remember(self, kind: str, entry_id: str, document: Document, path: DataPath) -> None:
        self.origins[(kind, entry_id)] = Origin(document.path, document.source_map.key(path))
        self.documents[(kind, entry_id)] = (document, path)

    # -- integrity ---------------------------------------------------------------------

    def _at(self, kind: str, entry_id: str, *more: str | int) -> tuple[str, Span | None]:
        document, path = self.documents[(kind, entry_id)]
        return document.path, document.source_map.value((*path, *more))

    def check(self) -> list[Diagnostic]:
        problems: list[Diagnostic] = []
        if self.layer_file is None:
            problems.append(Diagnostic("E101", "the catalog has no layers.yaml", "models", None))
        if self.severity is None:
            self.severity = SeverityPolicy()
        control_ids = set(self.controls) | self._aliases(self.controls)
        service_ids = set(self.services) | self._aliases(self.services)
        for service_id, service in sorted(self.services.items()):
            for index, evidenced in enumerate(service.evidences):
                if evidenced not in control_ids:
                    path, span = self._at("service", service_id, "evidences", index)
                    problems.append(self._unknown("control", evidenced, control_ids, path, span))
        for control_id, control in sorted(self.controls.items()):
            for key in ("applies_to", "relevant_when", "evidence"):
                condition = getattr(control, key)
                if condition is not None:
                    problems.extend(
                        self._check_condition(
                            condition, ("control", control_id, key), service_ids, control_ids
                        )
                    )
        for threat_id, threat in sorted(self.threats.items()):
            for key in ("mitigated_by", "see_also"):
                for index, control in enumerate(getattr(threat, key)):
                    if control not in control_ids:
                        path, span = self._at("threat", threat_id, key, index)
                        problems.append(self._unknown("control", control, control_ids, path, span))
            for index, case in enumerate(threat.likelihood_when):
                problems.extend(
                    self._check_condition(
                        case.when,
                        ("threat", threat_id, "likelihood_when", index, "when"),
                        service_ids,
                        control_ids,
                    )
                )
            if threat.when is not None:
                problems.extend(
                    self._check_condition(
                        threat.when, ("threat", threat_id, "when"), service_ids, control_ids
                    )
                )
            elif threat.implementation is None:
                path, span = self._at("threat", threat_id)
                problems.append(
                    Diagnostic(
                        "E101",
                        f"threat '{threat_id}' needs 'when' or 'implementation: python'",
                        path,
                        span,
                    )
                )
        return problems

    @staticmethod
    def _aliases(table: Mapping[str, Any]) -> set[str]:
        return {alias for entry in table.values() for alias in entry.aliases} | {
            entry.code for entry in table.values() if getattr(entry, "code", None)
        }

    @staticmethod
    def _unknown(kind: str, name: str, known: set[str], path: str, span: Span | None) -> Diagnostic:
        return Diagnostic(
            "E204" if kind == "service" else "E205",
            f"unknown {kind} '{name}'{did_you_mean(name, known)}",
            path,
            span,
        )

    def _check_condition(
        self,
        condition: Condition,
        where: tuple[str, str, *tuple[str | int, ...]],
        services: set[str],
        controls: set[str],
    ) -> Iterator[Diagnostic]:
        """Unknown services and controls that a condition names; `where`: (entry kind, entry id,
        the path of keys to the condition in the entry)."""
        kind, entry_id, *key = where
        for node, trail in _walk(condition, ()):
            for field_name in ("service", "linked_service", "model_has_service"):
                for index, name in enumerate(getattr(node, field_name) or ()):
                    if name not in services:
                        path, span = self._at(kind, entry_id, *key, *trail, field_name, index)
                        yield self._unknown("service", name, services, path, span)
            if node.declared is not None and node.declared not in controls:
                path, span = self._at(kind, entry_id, *key, *trail, "declared")
                yield self._unknown("control", node.declared, controls, path, span)

    def build(self, hashes: str) -> Catalog:
        import hashlib

        assert self.layer_file is not None and self.severity is not None
        service_aliases = {a: k for k, s in self.services.items() for a in s.aliases}
        control_aliases = {a: k for k, c in self.controls.items() for a in c.aliases}
        control_aliases.update({c.code: k for k, c in self.controls.items() if c.code})
        threats = dict(sorted(self.threats.items()))
        threat_aliases: dict[str, str] = {}
        mitigating: dict[str, list[str]] = {}
        for threat_id, threat in threats.items():
            for name in ([threat.code] if threat.code else []) + threat.aliases:
                threat_aliases.setdefault(name, threat_id)
            for control_id in threat.mitigated_by:
                mitigating.setdefault(control_id, []).append(threat_id)
        return Catalog(
            layers={str(k): v for k, v in self.layer_file.layers.items()},
            service_models={str(k): v for k, v in self.layer_file.service_models.items()},
            categories=self.categories,
            severity=self.severity,
            services=dict(sorted(self.services.items())),
            controls=dict(sorted(self.controls.items())),
            threats=threats,
            origins=self.origins,
            places=self.places,
            service_aliases=service_aliases,
            control_aliases=control_aliases,
            threat_aliases=threat_aliases,
            mitigates={control_id: tuple(ids) for control_id, ids in mitigating.items()},
            digest=hashlib.sha256(hashes.encode()).hexdigest()[:16],
        )


def _walk(
    condition: Condition, trail: tuple[str | int, ...]
) -> Iterator[tuple[Condition, tuple[str | int, ...]]]:
    yield condition, trail
    # every key whose value is a condition or a list of them (all, any, not, source, target,
    # inbound, outbound, every_inbound...), under the name the catalog writes
    for name, info in type(condition).model_fields.items():
        value = getattr(condition, name)
        key = info.alias or name
        if isinstance(value, Condition):
            yield from _walk(value, (*trail, key))
        elif isinstance(value, list) and value and isinstance(value[0], Condition):
            for index, child in enumerate(value):
                yield from _walk(child, (*trail, key, index))
