#!/usr/bin/env python3
"""Generates greenbert's CPU TDP and carbon-intensity tables from CodeCarbon's own data.

    scripts/generate_energy_tables.py [--codecarbon ../shared/data/codecarbon]

reads cpu_power.csv, global_energy_mix.json and carbon_intensity_per_source.json (CodeCarbon's
files, unchanged; their README names the release and commit) and writes
src/energy/cpu_tdp_table_data.cpp and src/energy/carbon_intensity_table_data.cpp, compiled into
the binary so that it never reads ../shared at run time. Both keep CodeCarbon's MIT notice.

The values are CodeCarbon's, with CodeCarbon's own rules applied where it applies one at run time:
- every row is kept, in the file's order (matching depends on it: the first of two equal names
  wins, and a brand that fits two names fits none);
- a TDP that is not a positive number ("27.29.5" for four old Celerons, "0.0") becomes 0, "no
  usable TDP": CodeCarbon fails converting the first kind and ignores a 0, greenbert falls back
  to its unknown-model rule for both;
- a country whose carbon_intensity is 0 or missing gets the figure CodeCarbon computes from its
  generation mix (Emissions._global_energy_mix_to_emissions_rate), or the world average when the
  mix's sources do not add up to its total.
Standard library only (Debian's python3).
"""

import argparse
import csv
import hashlib
import json
import pathlib
import re
import sys
import textwrap

REPO = pathlib.Path(__file__).resolve().parent.parent
GENERATED_BY = "scripts/generate_energy_tables.py"


def fail(message):
    sys.exit(f"generate_energy_tables.py: {message}")


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def release_line(readme):
    """'CodeCarbon 3.3.0 (repository mlco2/codecarbon, commit b05965e4, August 2026)'."""
    text = " ".join(readme.read_text(encoding="utf-8").split())
    match = re.search(r"CodeCarbon \d+\.\d+(\.\d+)? \([^)]*commit [0-9a-f]+[^)]*\)", text)
    if not match:
        fail(f"{readme}: no 'CodeCarbon X.Y.Z (repository ..., commit ...)' line to cite")
    return match.group(0)


def cpp_string(text):
    """A C++ string literal; bytes outside printable ASCII as 3-digit octal escapes (a hex escape
    would swallow a following hex digit: "\\xa0E625CT")."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return '"' + "".join(out) + '"'


def cpp_number(value):
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def comment_block(text):
    """Lines wrapped to fit clang-format's 100 columns, so that it leaves them as they are."""
    lines = []
    for line in text.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        lines += textwrap.wrap(line, 97, subsequent_indent=indent, break_on_hyphens=False) or [""]
    return "\n".join(("// " + line).rstrip() for line in lines)


def read_cpus(path):
    rows, not_numbers = [], []
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        if next(reader, None) != ["Name", "TDP"]:
            fail(f"{path}: expected the header Name,TDP")
        for line, row in enumerate(reader, start=2):
            if len(row) != 2:
                fail(f"{path}:{line}: expected 2 fields, got {len(row)}")
            name, tdp = row
            if re.fullmatch(r"\d+(\.\d+)?", tdp) and float(tdp) > 0:
                rows.append((name, float(tdp)))
            else:
                rows.append((name, 0.0))
                not_numbers.append(f"{name} ({tdp!r})")
    return rows, not_numbers


def intensity_from_mix(mix, per_source):
    """CodeCarbon's figure for a country without carbon_intensity: the mix's sources weighted by
    their g/kWh (only the *_TWh keys per_source knows), else the world average."""
    total = mix["total_TWh"]
    intensity, counted = 0.0, 0.0
    for key, twh in mix.items():  # the file's order, as CodeCarbon iterates it
        if "_TWh" in key and per_source.get(key[: -len("_TWh")]):
            intensity += (twh / total) * per_source[key[: -len("_TWh")]]
            counted += twh
    if counted != total:
        return float(per_source["world_average"]), "world average: its mix does not add up"
    return intensity, "computed from its generation mix"


def read_countries(mix_path, per_source_path):
    mixes = json.loads(mix_path.read_text(encoding="utf-8"))
    per_source = json.loads(per_source_path.read_text(encoding="utf-8"))
    countries = []
    for iso3, mix in sorted(mixes.items()):
        if not re.fullmatch(r"[A-Z]{3}", iso3) or mix.get("iso_code") != iso3:
            fail(f"{mix_path}: {iso3!r}: not an ISO 3166-1 alpha-3 key matching its iso_code")
        note = ""
        intensity = mix.get("carbon_intensity")
        if not intensity:  # CodeCarbon tests truthiness: 0 counts as missing
            intensity, note = intensity_from_mix(mix, per_source)
        countries.append((iso3, mix["country_name"], float(intensity), int(mix["year"]), note))
    return countries, float(per_source["world_average"])


def header(sources, release, what, licence):
    lines = [f"Generated by {GENERATED_BY}; do not edit. {what}",
             f"Source: {release}:"]
    for name, digest in sources:
        lines += [f"  {name}", f"    sha256 {digest}"]
    lines += ["", "CodeCarbon's data is distributed under this licence:", ""]
    return comment_block("\n".join(lines) + "\n" + licence)


def cpp_table_file(top, include, row_type, rows, accessor, tail):
    """A generated source file: the header comment, the table, its accessor, then `tail`."""
    return f"""{top}
#include "{include}"

namespace greenbert {{
namespace {{

// clang-format off
constexpr {row_type} kTable[] = {{
{chr(10).join(rows)}
}};
// clang-format on

}}  // namespace

std::span<const {row_type}> {accessor}() {{
  return kTable;
}}

{tail}
}}  // namespace greenbert
"""


def write_cpu_table(out, cpus, not_numbers, release, sources, licence):
    what = f"{len(cpus)} CPU models and their TDP in watts, in the file's order."
    if not_numbers:
        what += (f" TDP 0 (no usable TDP) for the {len(not_numbers)} whose TDP is not a "
                 f"positive number: {', '.join(not_numbers)}.")
    rows = [f"    {{{cpp_string(name)}, {cpp_number(tdp)}}}," for name, tdp in cpus]
    tail = f'const char* const kCpuTdpTableSource = "{release.split(" (")[0]} cpu_power.csv";\n'
    out.write_text(cpp_table_file(header(sources, release, what, licence),
                                  "energy/cpu_tdp_table.h", "CpuTdp", rows, "cpu_tdp_table", tail),
                   encoding="utf-8")


def write_country_table(out, countries, world_average, release, sources, licence):
    years = sorted({year for *_, year, _ in countries})
    what = (f"{len(countries)} countries' carbon intensity of electricity (g CO2eq/kWh) and "
            f"its year ({years[0]}-{years[-1]}).")
    rows = [f"    {{{cpp_string(iso3)}, {cpp_string(name)}, {cpp_number(intensity)}, {year}, "
            f"{cpp_string(note)}}},"
            for iso3, name, intensity, year, note in countries]
    tail = f"""const char* const kCountryIntensityTableSource =
    "{release.split(" (")[0]} global_energy_mix.json (Our World in Data / Ember)";

static_assert({cpp_number(world_average)} == kWorldAverageGramsPerKwh,
              "carbon_intensity_per_source.json's world average changed");
"""
    out.write_text(cpp_table_file(header(sources, release, what, licence),
                                  "energy/carbon_intensity.h", "CountryIntensity", rows,
                                  "country_intensity_table", tail),
                   encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codecarbon", type=pathlib.Path,
                        default=REPO.parent / "shared" / "data" / "codecarbon",
                        help="folder with CodeCarbon's data files and its README")
    parser.add_argument("--out", type=pathlib.Path, default=REPO / "src" / "energy")
    args = parser.parse_args()
    data = args.codecarbon
    files = ["cpu_power.csv", "global_energy_mix.json", "carbon_intensity_per_source.json"]
    for name in files + ["README.md", "LICENSE"]:
        if not (data / name).is_file():
            fail(f"{data / name}: missing")
    release = release_line(data / "README.md")
    digests = {name: sha256(data / name) for name in files}
    licence = (data / "LICENSE").read_text(encoding="utf-8")

    cpus, not_numbers = read_cpus(data / "cpu_power.csv")
    write_cpu_table(args.out / "cpu_tdp_table_data.cpp", cpus, not_numbers, release,
                    [("codecarbon/data/hardware/cpu_power.csv", digests["cpu_power.csv"])], licence)
    countries, world_average = read_countries(data / "global_energy_mix.json",
                                              data / "carbon_intensity_per_source.json")
    write_country_table(
        args.out / "carbon_intensity_table_data.cpp", countries, world_average, release,
        [("codecarbon/data/private_infra/global_energy_mix.json",
          digests["global_energy_mix.json"]),
         ("codecarbon/data/private_infra/carbon_intensity_per_source.json",
          digests["carbon_intensity_per_source.json"])], licence)
    print(f"{len(cpus)} CPUs ({len(not_numbers)} without a numeric TDP), {len(countries)} "
          f"countries; from {release}")


if __name__ == "__main__":
    main()
