"""An adversary for published counts (issue 13): does any protected count follow with certainty?

Pure Python + numpy/scipy, no Django: `tests/test_attacker.py` feeds it what the product
publishes, and its own self-test feeds it a fake publisher.

The attacker's view of one publication is a list of `Published` cells. Each cell names
where it was published (output, URL, table, row, column) and the set of records it counts
(a bit mask over the records, known to the test from the ORM, and to the attacker from
the filters it chose: unit, period, sex, topic, ...). What it shows is an exact-looking
number, "<N" (1 .. N-1+MAX_NOISE: noise comes before the threshold) or a hidden marker.

The attacks, each run once per record-key seed (`find_recoveries` reruns the whole
publication under several seeds):

1. **within one output** ("within"): a page's table line (row or column) whose cells
   partition a set that is shown on the same page (its total, or a total in another
   table of the page): total minus the other cells, and the "<N" bounds (two "<5" cells
   that must sum to 2 are both 1);
2-5. **differences of outputs** ("parent minus child", "period minus one day",
   "month vs custom period", "all municipalities minus own", or "difference of outputs"):
   any two shown numbers whose record sets are nested, A ⊃ B, give A \\ B;
6. **linear combinations** ("linear"): every shown number taken as an exact equation
   over the atoms (the finest partition of the records the published sets induce);
   a target whose vector lies in the row space of the equations is solved for;
   ("exact subsystem"): the same with only the equations that hold exactly in this
   seed (an attacker who tried every consistent subset), and ("bounds"): a linear
   programme with the zeros, every shown number v as v ± MAX_NOISE, "<N" as 1 .. N-1+MAX_NOISE and atoms >= 0: min = max.

A derivation is a **recovery** when it gives the true count under every seed (a
perturbed value that equals the truth by chance is not one) and its target is
protected: a count of 1 .. N-1, or a set that some output shows only as a marker or as a
number that differs from the truth. A set every output shows exactly (old-style large
counts) is not protected, so deriving it is no recovery.

Seeds run until no candidate derivation is left (a correct cell-key method loses them
all within a few seeds) or `max_seeds` have passed; later seeds refetch only the outputs
the surviving candidates use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ligestilling.lib.disclosure import MAX_NOISE

HIDDEN = "hidden"

#: Derivations whose candidates need every output again (they use the whole publication).
GLOBAL_ATTACKS = ("linear", "exact subsystem", "bounds", "bounds from '<N' and zeros alone")

#: Seeds that decide whether a set is "shown exactly everywhere" (then not protected):
#: a perturbed cell shows its true value by chance in 1/4 of the seeds, in both of the
#: first two in 1/16 (a real leak shows in many cells, so missing one of them is harmless).
EVIDENCE_SEEDS = 2


def marker_max(threshold: int) -> int:
    """The largest true count a "<N" can stand for, by the published rule: every count of
    1 or more gets its noise (at most MAX_NOISE) first, and a result below N shows "<N"."""
    return threshold - 1 + MAX_NOISE


@dataclass(frozen=True)
class Published:
    """One published cell, as the attacker reads it."""

    output: str  # e.g. "dashboard CSV", "logbook analysis", "national overview"
    url: str  # the request that published it (path and query)
    scope: str  # human text: unit, period, dimension
    table: str
    row: str
    column: str
    records: int  # bit mask over the records it counts (the truth: the test knows it)
    #: What the attacker knows of the set: its definition as a bit mask over the record
    #: *types* (unit, period bucket, sex, age band, ...; every possible type, with records
    #: or not), and a list item the set is restricted to (None: none). Nesting and
    #: partitions are decided on definitions, never on which records happen to exist.
    definition: int = 0
    item: object = None
    value: int | None = None  # an exact-looking number
    less_than: int | None = None  # "<N": the true count is 1 .. marker_max(N)
    hidden: bool = False  # "(skjult)" and the like: nothing but >= 0

    @property
    def key(self) -> tuple:
        return (self.definition, self.item)

    @property
    def is_number(self) -> bool:
        return self.value is not None

    @property
    def is_marker(self) -> bool:
        return self.value is None

    def where(self) -> str:
        shown = self.value if self.value is not None else (f"<{self.less_than}" if self.less_than else "(hidden)")
        return f"{self.output} [{self.scope}] {self.table!r} row {self.row!r} column {self.column!r} = {shown}"


@dataclass
class Derivation:
    attack: str
    target: int  # bit mask
    value: int
    cells: tuple[Published, ...]  # what it used (for the message); empty for global attacks
    explanation: str = ""

    @property
    def urls(self) -> set[str]:
        return {c.url for c in self.cells}


@dataclass
class Recovery:
    attack: str
    target: int
    true_count: int
    derivation: Derivation
    target_cells: tuple[Published, ...] = ()

    def message(self, describe: Callable[[int], str] | None = None) -> str:
        what = describe(self.target) if describe else f"{self.target.bit_count()} record(s)"
        lines = [f"* {self.attack}: {what} = {self.true_count} recovered exactly under every seed"]
        if self.target_cells:
            lines.append(f"    target published as: {self.target_cells[0].where()}")
        if self.derivation.explanation:
            lines.append(f"    how: {self.derivation.explanation}")
        for c in self.derivation.cells[:6]:
            lines.append(f"    uses: {c.where()}")
        return "\n".join(lines)


@dataclass
class _Evidence:
    """Per record set: is it published, and is it ever shown other than exactly?"""

    published: set[int] = field(default_factory=set)
    not_exact: set[int] = field(default_factory=set)
    exact_seeds: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    first_cells: dict[int, Published] = field(default_factory=dict)

    def add(self, pubs: list[Published]) -> None:
        seen_exact: set[int] = set()
        for p in pubs:
            self.published.add(p.records)
            self.first_cells.setdefault(p.records, p)
            if p.is_marker or p.value != p.records.bit_count():
                self.not_exact.add(p.records)
            else:
                seen_exact.add(p.records)
        for s in seen_exact:
            self.exact_seeds[s] += 1

    def protected(self, target: int, threshold: int, seeds_seen: int) -> bool | None:
        """True/False, or None while undecided (a set shown exactly so far, too few seeds)."""
        n = target.bit_count()
        if n == 0:
            return False
        if n < threshold or target in self.not_exact:
            return True
        if target not in self.published:
            return False
        return None if seeds_seen < EVIDENCE_SEEDS else False


# --- one seed ---------------------------------------------------------------------------


def _by_set(pubs: Iterable[Published]) -> dict[tuple, list[Published]]:
    """Cells grouped by the set the attacker knows they count (definition and item)."""
    out: dict[tuple, list[Published]] = defaultdict(list)
    for p in pubs:
        out[p.key].append(p)
    return out


def _number(cells: list[Published]) -> Published | None:
    return next((c for c in cells if c.is_number), None)


def _within(pubs: list[Published], threshold: int) -> list[Derivation]:
    """Attack 1: lines of a table that partition a set shown on the same page."""
    out = []
    by_url: dict[str, list[Published]] = defaultdict(list)
    for p in pubs:
        by_url[p.url].append(p)
    for _url, page in by_url.items():
        on_page = _by_set(page)
        groups: dict[tuple, list[Published]] = defaultdict(list)
        for p in page:
            groups[("row", p.table, p.row)].append(p)
            groups[("column", p.table, p.column)].append(p)
        for gkey, group in groups.items():
            items = {c.item for c in group}
            if len(items) != 1:
                continue  # e.g. a column of a topics table: topics overlap
            cells: dict[int, Published] = {}
            for c in group:
                cells.setdefault(c.definition, c)
            masks = sorted(cells, key=lambda m: -m.bit_count())
            item = items.pop()
            for total_def in masks:
                parts = [m for m in masks if m != total_def and m & ~total_def == 0]
                union, disjoint = 0, True
                for m in parts:
                    if union & m:
                        disjoint = False
                        break
                    union |= m
                if not disjoint or union != total_def or len(parts) < 2:
                    continue
                total_cell = _number(on_page.get((total_def, item), []))
                known = {m: _number(on_page[(m, item)]) for m in parts}
                unknown = [m for m, c in known.items() if c is None]
                line = f"{gkey[0]} {gkey[2]!r} of {gkey[1]!r}"
                if total_cell is None:
                    if not unknown:  # a hidden total from its visible parts
                        target = on_page[(total_def, item)][0].records
                        out.append(Derivation("within one output", target, sum(c.value for c in known.values()),
                                              tuple(known.values()), f"sum of the {line}"))
                    continue
                rest = total_cell.value - sum(c.value for c in known.values() if c is not None)
                used = (total_cell, *[c for c in known.values() if c is not None])
                if len(unknown) == 1:
                    target = on_page[(unknown[0], item)][0].records
                    out.append(Derivation("within one output", target, rest, used,
                                          f"total minus the other cells of the {line}"))
                elif unknown and all(any(c.less_than for c in on_page[(m, item)]) for m in unknown):
                    # "<N" bounds: k unknowns of 1 .. marker_max(N) summing to `rest`.
                    k, top = len(unknown), marker_max(threshold)
                    if rest == k or rest == k * top:
                        each = 1 if rest == k else top
                        for m in unknown:
                            out.append(Derivation("within one output (bounds)", on_page[(m, item)][0].records,
                                                  each, used, f"{k} cells of 1..{top} that sum to {rest}"))
    return out


def _difference_name(a: Published, b: Published) -> str:
    """The issue's name for a difference of two outputs (scopes read "unit | period | ...")."""
    if a.output == b.output == "national overview":
        return "all municipalities minus own"
    a_parts, b_parts = a.scope.split(" | "), b.scope.split(" | ")
    a_unit, b_unit = a_parts[0], b_parts[0]
    a_period, b_period = (a_parts[1] if len(a_parts) > 1 else ""), (b_parts[1] if len(b_parts) > 1 else "")
    if a_unit != b_unit and a_period == b_period:
        return "parent minus child"
    if a_unit == b_unit and a_period != b_period:
        both = a_period + " " + b_period
        if "minus one day" in both:
            return "period minus one day"
        if "month" in both and "custom" in both:
            return "month vs custom period"
        return "period difference"
    if a.url == b.url:
        return "within one output (nested cells)"
    return "difference of outputs"


def _differences(numbers: dict[tuple, Published], evidence: _Evidence, threshold: int) -> list[Derivation]:
    """Attacks 2-5: shown sets nested by definition, A ⊃ B, give A \\ B."""
    out = []
    items = sorted(numbers.items(), key=lambda kv: -kv[0][0].bit_count())
    for i, ((a_def, a_item), a) in enumerate(items):
        for (b_def, b_item), b in items[i + 1:]:
            if b_def & ~a_def or (a_item is not None and a_item != b_item) or (a_def, a_item) == (b_def, b_item):
                continue
            target = a.records & ~b.records
            n = target.bit_count()
            if n == 0:
                continue
            if n >= threshold and target not in evidence.published:
                continue  # a large set nobody publishes: not a protected count
            out.append(Derivation(_difference_name(a, b), target, a.value - b.value, (a, b),
                                  f"{a.value} - {b.value}"))
    return out


def _bits(mask: int, n: int) -> np.ndarray:
    raw = np.frombuffer(mask.to_bytes((n + 7) // 8 or 1, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:n].astype(bool)


@dataclass
class _Atoms:
    matrix: dict[int, np.ndarray]  # definition -> 0/1 vector over atoms
    count: int


def _atoms(definitions: Iterable[int], n_types: int) -> _Atoms:
    """The finest partition of the record types that the definitions induce."""
    definitions = list(definitions)
    if not definitions:
        return _Atoms({}, 0)
    member = np.array([_bits(d, n_types) for d in definitions])  # sets x types
    _unique, atom_of_type = np.unique(member.T, axis=0, return_inverse=True)
    atom_of_type = atom_of_type.ravel()
    n_atoms = int(atom_of_type.max()) + 1
    matrix = {}
    for d, row in zip(definitions, member, strict=True):
        vector = np.zeros(n_atoms)
        vector[np.unique(atom_of_type[row])] = 1.0
        matrix[d] = vector
    return _Atoms(matrix, n_atoms)


def _row_space(rows: np.ndarray) -> np.ndarray:
    if rows.size == 0:
        return np.zeros((0, 0))
    _u, s, vt = np.linalg.svd(rows, full_matrices=False)
    rank = int((s > 1e-9 * max(1.0, s[0])).sum()) if s.size else 0
    return vt[:rank]


def _in_row_space(basis: np.ndarray, vector: np.ndarray) -> bool:
    if basis.size == 0:
        return False
    return float(np.linalg.norm(vector - basis.T @ (basis @ vector))) < 1e-7


@dataclass(frozen=True)
class _Target:
    definition: int
    records: int
    less_than: bool  # shown "<N" (its bounds are known)


def _linear(pubs: list[Published], targets: list[_Target], n_types: int, threshold: int,
            *, with_bounds: bool) -> list[Derivation]:
    """Attack 6: the published equations (all, and the exact ones) solved for each target.

    Only sets without a list item (the count tables) take part: their definitions are
    unions of record types, so every shown number is a linear equation over the atoms.
    """
    out: list[Derivation] = []
    sets = {k[0]: cs for k, cs in _by_set(p for p in pubs if p.item is None).items()}
    numbers = {d: c for d, c in ((d, _number(cs)) for d, cs in sets.items()) if c is not None}
    if not numbers or not targets:
        return out
    atoms = _atoms(set(sets) | {t.definition for t in targets}, n_types)
    defs = list(numbers)
    a = np.array([atoms.matrix[d] for d in defs])
    b = np.array([float(numbers[d].value) for d in defs])
    # 6a: every shown number taken as exact (least squares when they contradict each other).
    basis = _row_space(a)
    x, *_ = np.linalg.lstsq(a, b, rcond=None)
    for t in targets:
        v = atoms.matrix[t.definition]
        if _in_row_space(basis, v):
            value = float(v @ x)
            if abs(value - round(value)) < 1e-6:
                out.append(Derivation("linear", t.records, int(round(value)), (),
                                      "solved from all published numbers taken as exact equations"))
    # 6b: only the equations that hold exactly (an attacker who found a consistent subset).
    exact = [d for d in defs if numbers[d].value == numbers[d].records.bit_count()]
    ea = np.array([atoms.matrix[d] for d in exact]) if exact else np.zeros((0, atoms.count))
    ebasis = _row_space(ea)
    undetermined = []
    for t in targets:
        if _in_row_space(ebasis, atoms.matrix[t.definition]):
            out.append(Derivation("exact subsystem", t.records, t.records.bit_count(), (),
                                  "a combination of published numbers that hold exactly"))
        elif t.less_than:
            undetermined.append(t)
    if with_bounds and undetermined:
        small = [d for d, cs in sets.items() if d not in numbers and any(c.less_than for c in cs)]
        zeros = [d for d in defs if numbers[d].value == 0]
        out += _bounds(atoms, zeros, [d for d in defs if numbers[d].value], small, undetermined, numbers,
                       threshold)
    return out


def _bounds(atoms: _Atoms, zeros: list[int], shown: list[int], small: list[int], targets: list[_Target],
            numbers: dict[int, Published], threshold: int) -> list[Derivation]:
    """6c: min and max of each "<N" target under "<N" as 1..marker_max(N), atoms >= 0.

    First with the zeros alone (facts that no key changes: a recovery there holds under
    every seed, e.g. a "<5" set with four disjoint parts each shown "<5" is 1+1+1+1), then
    with every shown number v as well, read as the published rule allows: the truth lies
    within v ± MAX_NOISE. (Not "the numbers that happen to be exact": an attacker cannot
    tell which those are, so a derivation from them is no certainty.)
    """
    from scipy.optimize import linprog

    k = atoms.count
    a_ub = np.array([atoms.matrix[d] for d in small] + [-atoms.matrix[d] for d in small])
    b_ub = np.array([float(marker_max(threshold))] * len(small) + [-1.0] * len(small))
    # Atoms inside a shown zero are zero: fix them by their bounds (smaller programmes).
    fixed = np.zeros(k, dtype=bool)
    for d in zeros:
        fixed |= atoms.matrix[d] > 0
    out = []
    for name, ranges in (("bounds from '<N' and zeros alone", []), ("bounds", shown)):
        if ranges:
            rows = [atoms.matrix[d] for d in ranges] + [-atoms.matrix[d] for d in ranges]
            limits = ([numbers[d].value + MAX_NOISE for d in ranges]
                      + [-max(1, numbers[d].value - MAX_NOISE) for d in ranges])
            a_all = np.vstack([a_ub, np.array(rows)]) if len(a_ub) else np.array(rows)
            b_all = np.concatenate([b_ub, np.array(limits, dtype=float)])
        else:
            a_all, b_all = a_ub, b_ub
        var_bounds = [(0, 0) if f else (0, None) for f in fixed]
        rest = []
        for t in targets:
            c = atoms.matrix[t.definition]
            lo = linprog(c, A_ub=a_all, b_ub=b_all, bounds=var_bounds, method="highs")
            hi = linprog(-c, A_ub=a_all, b_ub=b_all, bounds=var_bounds, method="highs")
            if lo.status == 0 and hi.status == 0 and abs(lo.fun + hi.fun) < 1e-6:
                how = ("every published '<N' taken as 1..marker_max(N) and every 0 as 0: only one count fits"
                       if not ranges else
                       "linear programme: every shown number ± MAX_NOISE, '<N' as 1..marker_max(N), counts >= 0")
                out.append(Derivation(name, t.records, int(round(lo.fun)), (), how))
            else:
                rest.append(t)
        targets = rest
        if not targets:
            break
    return out


def derive(pubs: list[Published], *, n_types: int, threshold: int, evidence: _Evidence,
           with_bounds: bool = True, global_attacks: bool = True) -> dict[tuple, Derivation]:
    """Every derivation of one seed that hits the true count, keyed stably across seeds."""
    sets = _by_set(pubs)
    numbers = {k: c for k, c in ((k, _number(cs)) for k, cs in sets.items()) if c is not None}
    found: dict[tuple, Derivation] = {}

    def keep(d: Derivation, key: tuple) -> None:
        if d.value == d.target.bit_count() and d.target.bit_count() > 0:
            found.setdefault(key, d)

    for d in _within(pubs, threshold):
        keep(d, (d.attack, d.target, tuple(sorted(c.key for c in d.cells))))
    diffs = _differences(numbers, evidence, threshold)
    for d in diffs:
        keep(d, ("difference", d.cells[0].key, d.cells[1].key))
    if global_attacks:
        targets: dict[int, _Target] = {}
        for (definition, item), cs in sets.items():
            if item is None and (definition, item) not in numbers:
                targets[definition] = _Target(definition, cs[0].records, any(c.less_than for c in cs))
        for d in diffs:
            a, b = d.cells
            if a.item is None and b.item is None and 0 < d.target.bit_count() < threshold:
                definition = a.definition & ~b.definition
                targets.setdefault(definition, _Target(definition, d.target, False))
        for d in _linear(pubs, list(targets.values()), n_types, threshold, with_bounds=with_bounds):
            keep(d, (d.attack, d.target))
    return found


# --- several seeds ------------------------------------------------------------------------


def find_recoveries(publish: Callable[[int, set[str] | None], list[Published]], *, n_types: int,
                    threshold: int, max_seeds: int = 12, min_seeds: int = EVIDENCE_SEEDS,
                    stats: dict | None = None) -> list[Recovery]:
    """Rerun the publication under seeds 0, 1, ... and keep the derivations that hit the
    truth under every one. `publish(seed, urls)` returns the cells of that seed (all
    outputs when `urls` is None, else at least those URLs); `n_types` is the number of
    record types the definitions are masks over."""
    evidence = _Evidence()
    alive: dict[tuple, Derivation] | None = None
    seeds = 0
    for seed in range(max_seeds):
        need_all = alive is None or seed < min_seeds or any(k[0] in GLOBAL_ATTACKS for k in alive)
        urls = None if need_all else set().union(*(d.urls for d in alive.values()))
        pubs = publish(seed, urls)
        seeds += 1
        evidence.add(pubs)
        found = derive(pubs, n_types=n_types, threshold=threshold, evidence=evidence, global_attacks=need_all)
        if stats is not None:
            stats.setdefault("cells", []).append(len(pubs))
            stats.setdefault("candidates", []).append(len(found))
        alive = found if alive is None else {k: d for k, d in alive.items() if k in found}
        # Drop what is decided not to be a protected count.
        alive = {k: d for k, d in alive.items() if evidence.protected(d.target, threshold, seeds) is not False}
        if not alive:
            break
    if stats is not None:
        stats["seeds"] = seeds
    out = []
    for d in (alive or {}).values():
        if evidence.protected(d.target, threshold, seeds):
            target_cells = tuple(c for c in [evidence.first_cells.get(d.target)] if c is not None)
            out.append(Recovery(d.attack, d.target, d.target.bit_count(), d, target_cells))
    return out
