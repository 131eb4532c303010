"""The seed notices through the automatic path: the override file only corrects what it cannot read."""

from __future__ import annotations

from pathlib import Path

from assistant.catalogue.registry import catalogue_files, parse_and_catalogue
from assistant.ingest import NoticeCatalogue

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = NoticeCatalogue.load(ROOT / "corpus" / "notices.yaml")
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))

# The documents, titles and programmes of the seeds as the hand-written catalogue had them before the
# automatic path existed (the rules and the eval sets are written against these ids).
EXPECTED = {
    "jiangsu-2024-international-cooperation-notice.txt": [
        ("js-2024-intl", "关于组织申报2024年度省科技计划专项资金（国际科技合作/港澳台科技合作计划）项目的通知", 6),
        ("js-2024-intl-form", "省科技计划专项资金（国际科技合作/港澳台科技合作计划）推荐项目汇总表", 0)],
    "lianyungang-14th-five-year-sti-plan.txt": [("lyg-14th-plan", "连云港市“十四五”科技创新规划", 0)],
    "lianyungang-2024-municipal-programme-guides.txt": [
        ("lyg-2024-industry", "2024年度市重点研发计划（产业前瞻与关键技术）项目指南", 1),
        ("lyg-2024-social", "2024年度市重点研发计划（社会发展）项目指南", 1),
        ("lyg-2024-transfer", "2024年度市科技成果转化计划项目指南", 1),
        ("lyg-2024-capacity", "2024年度市创新能力建设计划项目指南", 4),
        ("lyg-2024-soft", "2024年度市政策引导类计划（软科学研究）项目指南", 1),
        ("lyg-2024-intl", "2024年度市政策引导类计划（国际科技合作/港澳台科技合作、引进外国人才）项目指南", 6),
        ("lyg-2024-basic", "2024年度市基础研究计划项目指南", 2),
        ("lyg-2024-form", "2024年度市级科技计划项目推荐汇总表（式样）", 0)],
    "nantong-2023-frontier-tech-guide.txt": [
        ("nt-2023-frontier", "关于印发《2023年度南通市重点研发计划（前瞻性技术创新专项）项目指南》及组织申报项目的通知", 1),
        ("nt-2023-frontier-guide", "2023年度市重点研发计划（前瞻性技术创新专项）项目指南", 1),
        ("nt-2023-frontier-form", "2023年度市重点研发计划（前瞻性技术创新专项）项目推荐汇总表", 0)],
}


def test_the_seeds_keep_their_documents_titles_and_programmes() -> None:
    for path in SEEDS:
        _, _, records = parse_and_catalogue(path, OVERRIDES)
        got = [(r.notice_id, r.title, len(r.programmes)) for r in records]
        assert got == EXPECTED[path.name], path.name


def test_every_file_fact_the_override_states_differs_from_what_the_text_gives() -> None:
    """An override field equal to the automatic value is dead weight: the override only corrects."""
    automatic = {r.file: r for r in catalogue_files(SEEDS, None)[0] if r.parent is None}
    for name, entry in OVERRIDES.files.items():
        auto = automatic[name]
        for field in ("issuer", "doc_number", "region", "published"):
            stated = getattr(entry, field)
            if stated:
                assert str(stated) != getattr(auto, field), f"{name}: {field} is read from the text already"
        if entry.deadlines:
            assert [d["date"] for d in entry.deadlines] != [d["date"] for d in auto.deadlines], name


def test_the_jiangsu_notice_is_catalogued_from_its_text_alone() -> None:
    path = ROOT / "corpus" / "jiangsu-2024-international-cooperation-notice.txt"
    record = catalogue_files([path], None)[0][0]
    assert record.issuer == "江苏省科学技术厅、江苏省财政厅"
    assert record.doc_number == "苏科资发〔2024〕21号"
    assert record.published == "2024-02-04"
    assert {"2024-03-28", "2024-03-29"} <= {d["date"] for d in record.deadlines}
    assert "025-57711715" in record.phones
