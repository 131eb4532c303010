"""Fixtures: chunks of a small made-up notice with a condition section, procedure and a negative list."""

from __future__ import annotations

import pytest

from assistant.drafting import ProgrammeRef
from assistant.models import Chunk


def make_chunk(doc_id: str, position: int, path: tuple[str, ...], text: str) -> Chunk:
    return Chunk(chunk_id=Chunk.make_id(doc_id, position, path, text), doc_id=doc_id, title="关于申报某计划的通知",
                 section_path=path, text=text, position=position, source="notice.md",
                 metadata={"region": "雄安新区", "year": 2024})


@pytest.fixture
def notice_chunks() -> list[Chunk]:
    d = "doc-x"
    return [
        make_chunk(d, 0, ("一、支持方向",), "支持人工智能、新材料等领域。"),
        make_chunk(d, 1, ("二、申报条件", "1."), "1.申请企业必须是在雄安新区辖区内进行登记注册和纳税的企业法人；"),
        make_chunk(d, 2, ("二、申报条件", "2."),
                   "2.企业研发投入较高，年度研究与试验发展经费支出额不低于300万元；专职研究与试验发展人员数不少于30人；"),
        make_chunk(d, 3, ("二、申报条件", "3."), "3.上年度营业收入在1000万元以上，或近两年股权融资2000万元以上。"),
        make_chunk(d, 4, ("二、申报条件", "4."), "4.企业具有较为完善的技术创新机制，发展规划和目标明确。"),
        make_chunk(d, 5, ("二、申报条件", "5."), "5.被列入经营异常名录或严重失信主体名单的企业不得申报。"),
        make_chunk(d, 6, ("三、申报材料",), "1.营业执照复印件；2.审计报告。"),
        make_chunk(d, 7, ("四、其他",), "请三县主管部门于5月8日前报送材料。"),
    ]


@pytest.fixture
def programme() -> ProgrammeRef:
    return ProgrammeRef("doc-x", "关于申报某计划的通知", "doc-x", region="雄安新区", year=2024)
