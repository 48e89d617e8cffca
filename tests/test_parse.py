"""Parser rules on small synthetic pages, one behaviour per test (the corpus tests cover whole
pages). Names and events are invented."""

from __future__ import annotations

import re
from datetime import date

import pytest

from feeds import headlines
from feeds.bylines import names
from feeds.chars import squash
from feeds.model import HEADING
from feeds.parse import parse_page


def page(*blocks: str, source: str = "p.txt"):
    return parse_page("\n\n".join(blocks) + "\n", source)


BODY = "会议指出,要坚持稳中求进工作总基调,统筹发展和安全,推动各项工作落地见效。"


@pytest.mark.parametrize(
    ("byline", "authors", "first"),
    [
        ("本报讯(记者 张明)3月4日,", ["张明"], "3月4日,"),
        ("本报讯 (记者 张明 李华) 3月5日上午,", ["张明", "李华"], "3月5日上午,"),
        ("本报讯（记者 张明 通讯员 王芳 赵强）3月6日，", ["张明", "王芳", "赵强"], "3月6日，"),
        ("本报讯 记者张明报道 3月7日,", ["张明"], "3月7日,"),
        ("本报讯(见习记者 欧阳晓)3月8日,", ["欧阳晓"], "3月8日,"),
        ("本报讯 记者 张明 通讯员 王芳 3月9日,", ["张明", "王芳"], "3月9日,"),
        ("本报衢州3月4日讯 (记者 张明 通讯员 王芳) 走进", ["张明", "王芳"], "走进"),
        ("本报讯(通讯员 王芳 记者 张明)近日,", ["王芳", "张明"], "近日,"),
    ],
)
def test_byline_spellings(byline, authors, first):
    p = page("今日衢江\n2024年3月10日 星期日\n第01版:要闻", "区政府召开常务会议", byline + BODY)
    (a,) = p.articles
    assert list(a.authors) == authors
    assert a.paragraphs[0].text.startswith(first)
    assert "本报" not in a.body and "记者" not in a.body


def test_dateline_byline_on_lines_of_its_own():
    p = page(
        "2024年10月14日 星期一",
        "区委理论学习中心组举行学习会",
        "本报衢州10月13日电",
        "记者 张明",
        "通讯员 王芳 赵强",
        "　　" + BODY,
    )
    (a,) = p.articles
    assert list(a.authors) == ["张明", "王芳", "赵强"]
    assert a.date == date(2024, 10, 13)
    assert a.date_source == "dateline"
    assert a.paragraphs[0].text == BODY


def test_byline_at_the_end_and_photo_credit():
    p = page(
        "2024年3月7日 星期四",
        "红十字救护培训走进车间",
        "昨日，区红十字会为60余名职工开展应急救护培训。",
        "（记者 张明 通讯员 王芳）",
        "志愿者服务驿站里的暖心服务",
        "3月5日，志愿者为环卫工人免费测量血压。 记者 李华 文 赵强 摄",
    )
    first, second = p.articles
    assert list(first.authors) == ["张明", "王芳"]
    assert first.date == date(2024, 3, 6) and first.date_source == "yesterday"
    assert list(second.authors) == ["李华", "赵强"]
    assert second.body.endswith("测量血压。")


def test_header_footer_and_jump_markers_are_dropped_with_reasons():
    p = page(
        "00003版:要闻",
        "区政府召开常务会议",
        "本报讯(记者 张明)5月4日,会议召开。要抓好各项工作。(下转第2版)",
        "全区组织工作会议召开",
        "(上接第1版)要坚持把政治标准放在首位。",
        "今日衢江 要闻 00003 区政府召开常务会议 2024-05-06 上一版 下一版",
    )
    reasons = {d.reason for d in p.dropped}
    assert reasons == {"header", "footer", "jump"}
    assert p.issue_date == date(2024, 5, 6) and p.issue_date_source == "footer"
    first, second = p.articles
    assert "下转" not in first.body and "上接" not in second.body
    assert second.continued and second.date is None


def test_page_break_split_is_joined_even_mid_word():
    p = page(
        "区政府召开常务会议",
        "本报讯(记者 张明)5月4日,会议要求打造一",
        "\n\n流营商环境,做到见",
        "实效。",
    )
    (a,) = p.articles
    assert [x.text for x in a.paragraphs] == ["5月4日,会议要求打造一流营商环境,做到见实效。"]


def test_subheadings_stay_inside_their_article():
    p = page(
        "全区安全生产工作会议召开",
        "本报讯(记者 张明)2月28日," + BODY,
        "压实责任链条",
        BODY,
        "紧盯重点领域",
        BODY,
    )
    (a,) = p.articles
    assert [x.text for x in a.paragraphs if x.kind == HEADING] == ["压实责任链条", "紧盯重点领域"]


def test_articles_without_byline_start_with_a_date_or_recent():
    p = page(
        "2024年3月7日 星期四",
        "衢江启动志愿服务月活动",
        "3月5日，" + BODY,
        "峡川志愿者守护乡村一老一小",
        "日前，" + BODY,
    )
    first, second = p.articles
    assert first.date == date(2024, 3, 5) and first.date_source == "text"
    assert second.date == date(2024, 3, 7) and second.date_source == "recent"


def test_missing_beginning_and_organisation_credit():
    p = page(
        "衢江区气排球联赛落幕",
        "本报讯(记者 张明)2月25日," + BODY,
        "衢江一志愿者获全省通报表扬",
        "员,组织开展团体献血活动46场次,累计参与献血1.2万余人次。",
        "区卫生健康局",
    )
    first, second = p.articles
    assert second.title == "衢江一志愿者获全省通报表扬"
    assert second.continued and list(second.credits) == ["区卫生健康局"]
    assert second.date is None


@pytest.mark.parametrize(
    "unit", ["区妇联", "区科协", "区残联", "区工商联", "团区委", "白沙镇", "樟潭街道", "太真乡"]
)
def test_a_peoples_organisation_credits_the_last_article_of_a_page(unit: str) -> None:
    p = page(
        "衢江一志愿者获全省通报表扬",
        "员,组织开展团体献血活动46场次,累计参与献血1.2万余人次。",
        unit,
    )
    (article,) = p.articles
    assert list(article.credits) == [unit] and not p.problems


@pytest.mark.parametrize(
    ("title", "subtitle", "lead"),
    [
        (  # who reviewed and who presided
            "2024年度全区乡镇(街道)党(工)委书记抓基层党建工作述职评议会召开",
            "邵建明点评 何志远主持",
            "本报讯(记者 方舟)12月31日上午,述职评议会召开。",
        ),
        (  # who reported and who sat on the platform
            "临江县第九届人民代表大会第三次会议开幕",
            "何启明作政府工作报告 周立新陈海波等在主席台就座",
            "本报讯(记者 方舟)1月9日,临江县第九届人民代表大会第三次会议开幕。",
        ),
    ],
)
def test_a_subtitle_saying_who_spoke_in_which_role(title: str, subtitle: str, lead: str):
    p = page(title, subtitle, lead + BODY)
    (a,) = p.articles
    assert a.title == title and not a.pretitle
    assert a.subtitle == subtitle


def test_headline_roles():
    p = page(
        "深化千万工程 建设和美乡村——",
        "衢江共富工坊开到村民家门口",
        "本报讯(记者 张明)5月14日," + BODY,
        "以学促知 以知促行",
        "——区委理论学习中心组举行专题学习会",
        "本报讯(记者 李华)5月14日," + BODY,
        "区委书记讲话 区长主持 各部门负责人参加",
    )
    first, second = p.articles
    assert first.pretitle == "深化千万工程 建设和美乡村"
    assert first.title == "衢江共富工坊开到村民家门口"
    assert second.title == "以学促知 以知促行"
    assert second.subtitle == "区委理论学习中心组举行专题学习会"


def test_banner_and_column_at_the_top():
    p = page(
        "全力冲刺一季度开门红 奋力跑出高质量发展加速度",
        "奋战一季度 冲刺开门红",
        "区委常委会召开会议 研究部署",
        "本报讯(记者 张明)3月4日," + BODY,
    )
    (a,) = p.articles
    assert a.column == "奋战一季度 冲刺开门红"
    assert a.title == "区委常委会召开会议 研究部署"
    assert [d.reason for d in p.dropped] == ["banner"]


def test_year_inference_and_rollover():
    undated = page(
        "区纪委全会召开",
        "本报讯(记者 张明)2月27日,回顾2023年度工作,部署2024年任务。力争到2027年底完成。",
    )
    assert undated.issue_date is None and undated.year == 2024
    assert undated.articles[0].date == date(2024, 2, 27)
    january = page("2025年1月3日 星期五", "区委常委会召开会议", "本报讯(记者 张明)12月30日," + BODY)
    assert january.articles[0].date == date(2024, 12, 30)


def test_issue_date_from_file_name():
    assert page(
        "区委常委会召开会议", "日前," + BODY, source="qj_20240306_01.txt"
    ).issue_date == date(2024, 3, 6)
    assert page("标题", "日前," + BODY, source="2024-03-07.txt").articles[0].date == date(
        2024, 3, 7
    )
    assert page("标题", "日前," + BODY, source="000_6874899e96e9eef1.txt").issue_date is None


def test_names_strips_roles_and_suffixes():
    assert names(["记者 毛嘉伟 文 俞佳琪 摄"]) == ["毛嘉伟", "俞佳琪"]
    assert names(["记者程浩报道"]) == ["程浩"]
    assert names(["记者 张明 通讯员占丽君"]) == ["张明", "占丽君"]
    assert names(["区红十字会"]) == []


def test_scrambled_title_parts_are_put_back_in_order():
    p = page(
        "习近平总书记重要讲话精神 区委常委会召开会议 传达学习",
        "本报讯(记者 张明)2月19日,区委常委会召开会议,传达学习习近平总书记重要讲话精神。",
    )
    assert p.articles[0].title == "区委常委会召开会议 传达学习习近平总书记重要讲话精神"
    t02 = page(
        "2025年各项工作 区委常委会召开扩大会议 研究部署",
        "本报讯(记者 张明)12月31日,区委常委会召开扩大会议,总结2024年全区工作,研究部署2025年各项工作。区委书记主持会议。",
    )
    assert t02.articles[0].title == "区委常委会召开扩大会议 研究部署2025年各项工作"
    t01 = page(
        "一季度经济运行情况 区政府召开第16次常务会议 分析研判",
        "本报讯(记者 张明)4月2日,区长主持召开区政府第16次常务会议,分析研判一季度全区经济运行情况。",
    )
    assert t01.articles[0].title == "区政府召开第16次常务会议 分析研判一季度经济运行情况"
    ordered = page(
        "区委常委会召开会议 传达学习", "本报讯(记者 张明)2月19日,区委常委会召开会议,传达学习。"
    )
    assert ordered.articles[0].title == "区委常委会召开会议 传达学习"


def test_numbered_subheadings_are_not_fragments():
    p = page(
        "区委理论学习中心组举行集中学习",
        "本报讯(记者 张明 李华 通讯员 王芳)11月29日," + BODY,
        "一、强化政治引领",
        BODY,
        "二、狠抓工作落实",
        BODY,
    )
    (a,) = p.articles
    assert [x.text for x in a.paragraphs if x.kind == HEADING] == [
        "一、强化政治引领",
        "二、狠抓工作落实",
    ]
    assert list(a.authors) == ["张明", "李华", "王芳"]


def test_organisation_credit_with_gong_gao():
    p = page("区红十字会开展博爱送万家活动", "近日,区红十字会走访慰问困难群众。", "区红十字会供稿")
    assert list(p.articles[0].credits) == ["区红十字会供稿"]


def test_a_lone_headline_inside_an_article_opens_the_next_article():
    """Subheadings come in series; a lone headline line is the title of a byline-less
    article whose lead sets the scene before giving the date."""
    p = page(
        "2025年1月3日 星期五",
        "区委常委会召开会议",
        "本报讯(记者 张明)1月2日," + BODY,
        "聚焦主责主业 晒成绩亮短板",
        BODY,
        "直面问题不足 点短板促提升",
        BODY,
        "“博爱送万家”把温暖送到困难群众心坎上",
        "寒冬时节,暖意浓浓。1月2日上午,区红十字会走访慰问困难群众。",
        "区红十字会供稿",
    )
    first, second = p.articles
    assert [x.text for x in first.paragraphs if x.kind == HEADING] == [
        "聚焦主责主业 晒成绩亮短板",
        "直面问题不足 点短板促提升",
    ]
    assert second.title == "“博爱送万家”把温暖送到困难群众心坎上"
    assert second.date == date(2025, 1, 2) and second.date_source == "text"
    assert list(second.credits) == ["区红十字会供稿"] and not first.credits


def test_title_wrapped_over_two_lines_is_one_title():
    p = page(
        "全区2024年度基层党组织书记",
        "抓基层党建工作述职评议会召开",
        "本报讯(记者 张明)12月30日,全区2024年度基层党组织书记抓基层党建工作述职评议会召开。",
        "学习贯彻全会精神",
        "区委理论学习中心组举行专题学习会",
        "本报讯(记者 李华)12月30日,为学习贯彻全会精神,区委理论学习中心组举行专题学习会。",
    )
    first, second = p.articles
    assert first.title == "全区2024年度基层党组织书记抓基层党建工作述职评议会召开"
    assert first.pretitle is None
    assert (second.pretitle, second.title) == (
        "学习贯彻全会精神",
        "区委理论学习中心组举行专题学习会",
    )


def test_quote_after_a_word_does_not_end_a_sentence():
    p = page(
        "区政府召开常务会议", "本报讯(记者 张明)5月4日,要发挥好考核的“指挥棒”", "作用,推动落实。"
    )
    assert [x.text for x in p.articles[0].paragraphs] == [
        "5月4日,要发挥好考核的“指挥棒”作用,推动落实。"
    ]


def test_title_with_a_comma_right_above_a_byline():
    p = page(
        "区委常委会召开会议,研究部署三季度经济工作",
        "本报讯(记者叶思远 通讯员柴丽芳)9月9日," + BODY,
        "区政府召开常务会议,部署秋季开学等工作",
        "本报讯(记者 程浩)9月10日," + BODY,
    )
    first, second = p.articles
    assert first.title == "区委常委会召开会议,研究部署三季度经济工作"
    assert list(first.authors) == ["叶思远", "柴丽芳"]
    assert second.title == "区政府召开常务会议,部署秋季开学等工作"
    assert list(second.authors) == ["程浩"]


def test_rare_characters_in_names_and_slash_credits():
    p = page(
        "衢江举办非遗手作体验活动",
        "本报讯(记者 周䶮 通讯员 𠮷晓东)8月26日," + BODY,
        "孩子们在动手实践中感受传统文化魅力。　记者 毛嘉伟 文/摄",
    )
    (a,) = p.articles
    assert list(a.authors) == ["周䶮", "𠮷晓东", "毛嘉伟"]
    assert a.body.endswith("传统文化魅力。")


def test_hard_wrap_between_two_names_in_a_byline():
    lines = [
        "今日衢江 2024年7月9日 星期二 第3版",
        "全区防汛防台工作会议召开",
        "　　本报讯（记者黄子轩 通讯员蔡文博",
        "占丽君）7月8日，全区防汛防台工作会议",
        "召开，会议部署了当前防汛防台各项工作。",
        "　　会议要求，要压紧压实各级防汛责任，",
        "强化监测预警，做好群众转移避险工作。",
        "　　会议强调，要加强值班值守，确保信息",
        "畅通，全力保障人民群众生命财产安全。",
        "区应急管理局开展防汛应急演练",
        "　　本报讯（记者 毛嘉伟 通讯员 余",
        "晨光）7月8日，区应急管理局开展防汛应急",
        "演练，模拟山洪暴发时的人员转移安置。",
    ]
    p = parse_page("\n".join(lines) + "\n", "p.txt")
    first, second = p.articles
    assert list(first.authors) == ["黄子轩", "蔡文博", "占丽君"]
    assert list(second.authors) == ["毛嘉伟", "余晨光"]


def test_title_ending_like_a_unit_name_above_a_subtitle_is_a_title():
    p = page(
        "区农业农村局召开强村公司改革推进会",
        "本报讯(记者 张明)7月20日," + BODY,
        "学思践悟强党性 笃行实干开新局",
        "——区委理论学习中心组举行专题学习会",
        "本报讯(记者 李华)7月22日," + BODY,
        "区卫生健康局",
    )
    first, second = p.articles
    assert not first.credits
    assert (second.title, second.subtitle) == (
        "学思践悟强党性 笃行实干开新局",
        "区委理论学习中心组举行专题学习会",
    )
    assert list(second.credits) == ["区卫生健康局"]


def test_scrambled_title_with_a_paraphrasing_lead():
    """The lead does not repeat the headline, but the headline ends in a bare verb whose
    object was printed first: 三季度各项目标任务 … 全力冲刺."""
    p = page(
        "三季度各项目标任务 全区经济形势分析会召开 全力冲刺",
        "本报讯(记者 张明)8月5日,全区经济形势分析会召开,总结上半年经济运行情况,部署三季度重点工作。",
    )
    assert p.articles[0].title == "全区经济形势分析会召开 全力冲刺三季度各项目标任务"
    plain = page("双城联动 全区招商大会召开", "本报讯(记者 张明)3月1日,全区招商大会召开。")
    assert plain.articles[0].title == "双城联动 全区招商大会召开"


def test_lone_subheading_without_date_or_credit_stays_in_the_article():
    p = page(
        "衢江区首届最美志愿服务项目展示交流活动举行",
        "本报讯(记者 张明)5月19日,全区32个志愿服务项目同台亮相。",
        "项目化运作 常态化服务",
        "活动现场,各项目负责人介绍了项目成效。",
        "让志愿服务更有温度",
        "下一步,我区将加大志愿服务项目培育力度。",
    )
    (first,) = p.articles
    assert [x.text for x in first.paragraphs if x.kind == HEADING] == [
        "项目化运作 常态化服务",
        "让志愿服务更有温度",
    ]
    photo = page(
        "区政府召开常务会议",
        "本报讯(记者 张明)9月9日," + BODY,
        "金秋稻浪丰收忙",
        "眼下正值中稻收割时节,农户们忙着装袋、运粮。 通讯员 龚建平 摄",
    )
    _, caption = photo.articles
    assert caption.title == "金秋稻浪丰收忙" and list(caption.authors) == ["龚建平"]


def test_title_wrapped_with_a_short_remainder_line():
    """A long title wraps onto a short second line (…获评浙江省 / 现代化学校); the lead runs
    across the break only for a few characters (…浙江省现代化学校名单), yet it is one title."""
    p = page(
        "衢江区实验小学等三所学校获评浙江省",
        "现代化学校",
        "本报讯(记者 张明)日前,省教育厅公布2024年浙江省现代化学校名单,我区三所学校榜上有名。",
    )
    (a,) = p.articles
    assert a.title == "衢江区实验小学等三所学校获评浙江省现代化学校"
    assert a.pretitle is None
    kept = page(
        "深入学习贯彻党的二十届三中全会精神",
        "区委宣讲团进企业",
        "本报讯(记者 张明)11月4日,区委宣讲团成员走进企业车间。",
    )
    assert (kept.articles[0].pretitle, kept.articles[0].title) == (
        "深入学习贯彻党的二十届三中全会精神",
        "区委宣讲团进企业",
    )


def test_notice_is_dropped_not_an_article():
    """A 公告 (title, text, 特此公告, signing unit) is not news: its lines are dropped."""
    p = page(
        "区政府召开常务会议",
        "本报讯(记者 张明)11月7日," + BODY,
        "公　告",
        "　　因管网改造施工需要，城东片区11月12日暂停供水，敬请谅解。",
        "　　特此公告。",
        "　　　　衢江区自来水有限公司",
    )
    (a,) = p.articles
    assert "供水" not in a.body and not a.credits
    notice = [d.text for d in p.dropped if d.reason == "notice"]
    assert notice[0] == "公　告" and notice[-1] == "衢江区自来水有限公司"


@pytest.mark.parametrize("signed", ["2024年12月", "2024年12月20日"])
def test_ad_after_an_article_is_not_its_subheading(signed):
    """A 征订启事 signed by the paper and a date (衢江报社 / 2024年12月) in the middle of a
    page: neither the article above nor the one below gets any of it."""
    lines = [
        "区政府召开常务会议",
        "　　本报讯（记者 张明）12月30日，区政府召开",
        "常务会议，研究部署春节前后市场保供稳价工作。",
        "2025年度《衢江报》征订启事",
        "　　《衢江报》每周一至周五出版，全年订价24",
        "0元，欢迎广大读者踊跃订阅。",
        "衢江报社",
        signed,
        "区委常委会召开会议",
        "　　本报讯（记者 李华）12月31日，区委常委会",
        "召开会议，研究部署2025年各项重点工作任务。",
    ]
    p = parse_page("\n".join(lines) + "\n", "p.txt")
    first, second = p.articles
    assert [x.kind for x in first.paragraphs] == ["text"]
    assert "订阅" not in first.body
    assert (second.title, second.pretitle, second.column) == ("区委常委会召开会议", None, None)
    assert "衢江报社" in [d.text for d in p.dropped if d.reason == "notice"]
    assert signed in [d.text for d in p.dropped]


def test_news_about_a_notice_keeps_its_byline_and_stays_an_article():
    p = page(
        "区政府发布禁放烟花爆竹通告",
        "本报讯(记者 李华)11月6日,区政府发布通告,明确禁放区域和时段。特此公告。",
    )
    (a,) = p.articles
    assert a.title == "区政府发布禁放烟花爆竹通告"


# -- red-team C: byline marks, short datelines, other outlets, 短讯 boxes, headline decks ------
ISSUE = "2024年11月12日 星期二 第2版 要闻"


@pytest.mark.parametrize(
    "line", ["■本报记者 程浩", "文/图 本报记者 程浩", "文/图 记者 程浩", "● 记者 程浩"]
)
def test_byline_line_with_a_bullet_or_photo_tag(line):
    """■ and 文/图 are typographic marks before a byline: it is not a title."""
    p = page(ISSUE, "高家镇“村晚”唱响丰收歌", line, "近日，" + BODY)
    (a,) = p.articles
    assert (a.title, a.pretitle) == ("高家镇“村晚”唱响丰收歌", None)
    assert list(a.authors) == ["程浩"]
    assert "记者" not in a.body and a.date == date(2024, 11, 12)


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("11日，", date(2024, 11, 11)),
        ("12日上午，", date(2024, 11, 12)),
        ("28日，", date(2024, 10, 28)),
    ],
)
def test_day_only_dateline_takes_the_issue_month(lead, expected):
    """A day later than the issue's day is in the month before."""
    p = page(ISSUE, "区政府召开常务会议", "本报讯（记者 张明）" + lead + BODY)
    (a,) = p.articles
    assert a.date == expected


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("本报衢州11日讯（记者 王芳 赵强）", date(2024, 11, 11)),
        ("本报11日讯 记者 王芳 赵强 ", date(2024, 11, 11)),
        ("本报衢州28日电（记者 王芳 赵强）", date(2024, 10, 28)),
        ("新华社北京11日电（记者 王芳 赵强）", date(2024, 11, 11)),
        ("衢州日报衢江12日讯（记者 王芳 赵强）", date(2024, 11, 12)),
    ],
)
def test_a_dateline_with_a_day_alone(lead, expected):
    """本报衢州11日讯 / 新华社北京11日电: the day of the issue's month (the month before when
    later than the issue's day), and the whole dateline leaves the body."""
    p = page(ISSUE, "区政府召开常务会议", lead + "昨日，" + BODY)
    (a,) = p.articles
    assert (list(a.authors), a.date) == (["王芳", "赵强"], expected)
    assert a.body.startswith("昨日，") and "讯" not in a.body and "电" not in a.body[:3]


def test_a_day_alone_dateline_without_an_issue_date_lets_the_lead_tell():
    p = page("区政府召开常务会议", "本报衢州11日讯（记者 王芳）2024年11月10日，" + BODY)
    (a,) = p.articles
    assert a.date == date(2024, 11, 10) and list(a.authors) == ["王芳"]


def test_day_only_lead_opens_a_byline_less_article():
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）11日，" + BODY,
        "区人民医院开通夜间门诊",
        "10日起，区人民医院正式开通夜间门诊，方便上班族错峰就医。",
        "（通讯员 王芳）",
    )
    first, second = p.articles
    assert second.title == "区人民医院开通夜间门诊"
    assert second.date == date(2024, 11, 10)
    assert (list(first.authors), list(second.authors)) == (["张明"], ["王芳"])


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("衢江新闻网讯（通讯员 王芳 赵强）近日，", date(2024, 11, 12)),
        ("衢州日报讯 记者 王芳 赵强 近日，", date(2024, 11, 12)),
        ("新华社杭州11月10日电（记者 王芳 赵强）", date(2024, 11, 10)),
    ],
)
def test_other_outlets_datelines_open_an_article(lead, expected):
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）11日，" + BODY,
        "爱心车队接送学子",
        lead + BODY,
    )
    first, second = p.articles
    assert second.title == "爱心车队接送学子"
    assert list(second.authors) == ["王芳", "赵强"]
    assert second.date == expected
    assert second.body.endswith(BODY) and "讯" not in second.body and "王芳" not in second.body
    assert "爱心车队" not in first.body


def test_relative_weekday_lead():
    """The issue is a Tuesday: 上周五 is the Friday before, 周一 this week's Monday."""
    p = page(ISSUE, "区政府召开常务会议", "本报记者 程浩 报道", "上周五，" + BODY)
    (a,) = p.articles
    assert a.date == date(2024, 11, 8) and list(a.authors) == ["程浩"]
    p = page(ISSUE, "区政府召开常务会议", "周一，" + BODY)
    assert p.articles[0].date == date(2024, 11, 11)


def test_reporters_notes_box_is_a_subheading_not_a_byline():
    p = page(
        ISSUE,
        "一所山区小学的科技梦",
        "见习记者 方可欣",
        BODY,
        "记者手记",
        "山区学校的条件或许有限，但孩子们的想象力没有边界。",
    )
    (a,) = p.articles
    assert list(a.authors) == ["方可欣"]
    assert [x.text for x in a.paragraphs if x.kind == HEADING] == ["记者手记"]


def test_short_news_items_with_run_in_titles_are_articles():
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）11日，" + BODY,
        "短　讯",
        "●区文化馆举办剪纸培训班　日前，区文化馆举办剪纸技艺培训班，50余名文艺骨干参加。",
        "●区老年大学书画展开展　8日，区老年大学书画作品展开展，共展出作品120余幅。",
    )
    first, second, third = p.articles
    assert (second.title, third.title) == ("区文化馆举办剪纸培训班", "区老年大学书画展开展")
    assert second.body.startswith("日前，") and "●" not in second.body + third.body
    assert (second.pretitle, second.column) == (None, "短　讯")  # the box label is a column
    assert (second.date, third.date) == (date(2024, 11, 12), date(2024, 11, 8))
    assert "剪纸" not in first.body
    assert [d.text for d in p.dropped if d.reason == "bullet"] == ["●", "●"]


def test_index_entries_are_not_run_in_titles():
    """A 导读 entry (●标题　2版) has no sentence after the title."""
    from feeds.headlines import run_in

    assert run_in("●县人大常委会召开第二十一次会议　2版") is None
    assert run_in("●区文化馆举办剪纸培训班　日前，区文化馆举办培训班，50余人参加。")


def test_meeting_headline_in_two_decks_is_title_and_subtitle():
    """区委常委会召开会议 / 研究部署…: the meeting is the title (主题), its agenda the subtitle
    (副题, here without ——), never 引题 / 主题."""
    p = page(
        ISSUE,
        "区委常委会召开会议",
        "研究部署基层党组织建设等工作",
        "本报讯（记者 张明）11日，" + BODY,
    )
    (a,) = p.articles
    assert (a.title, a.subtitle, a.pretitle) == (
        "区委常委会召开会议",
        "研究部署基层党组织建设等工作",
        None,
    )


def test_a_line_of_figures_under_a_title_is_its_subtitle():
    p = page(
        ISSUE,
        "我区27个重大项目集中开工",
        "总投资86.5亿元，涵盖先进制造、基础设施、社会民生等领域",
        "本报讯（记者 徐晓峰）6月16日上午，" + BODY,
    )
    (a,) = p.articles
    assert (a.title, a.pretitle) == ("我区27个重大项目集中开工", None)
    assert a.subtitle == "总投资86.5亿元，涵盖先进制造、基础设施、社会民生等领域"


@pytest.mark.parametrize("speaker", ["周启航出席并讲话", "区委书记王慧杰出席会议并讲话"])
def test_one_speaker_under_a_title_is_the_subtitle(speaker):
    p = page(ISSUE, "全区组织工作会议召开", speaker, "本报讯（记者 林晓薇）9月19日，" + BODY)
    (a,) = p.articles
    assert (a.title, a.subtitle, a.pretitle) == ("全区组织工作会议召开", speaker, None)


@pytest.mark.parametrize("unit", ["高家镇党委", "区委组织部", "中共高家镇委员会"])
def test_a_unit_signing_under_the_title_is_its_byline(unit):
    p = page(ISSUE, "以“三抓三促”推动党建引领基层治理", unit, "　　今年以来，" + BODY)
    (a,) = p.articles
    assert (a.title, a.pretitle, a.credits) == ("以“三抓三促”推动党建引领基层治理", None, (unit,))


def test_slogan_above_a_title_with_a_dash_subtitle_is_the_pretitle():
    p = page(
        ISSUE,
        "打造共富样板　绘就和美画卷",
        "全区乡村振兴现场推进会召开",
        "——邵建明出席并讲话　林晓燕主持",
        "记者 张明　通讯员 王芳",
        "11月10日上午，" + BODY,
    )
    (a,) = p.articles
    assert (a.pretitle, a.column) == ("打造共富样板　绘就和美画卷", None)
    assert a.title == "全区乡村振兴现场推进会召开"
    assert list(a.authors) == ["张明", "王芳"]


def test_signed_commentary_then_an_article_with_a_bare_byline_line():
    """A 短评 signed （叶思远） ends there; the title and the 记者 line below open an article
    (hard-wrapped, no blank lines)."""
    text = "\n".join(
        [
            ISSUE,
            "短评",
            "“小积分”里有大文章",
            "  小小积分，激发的是村民当家作主的热情。过去村",
            "里搞环境整治，干部忙前忙后，不少村民却站在一旁看",
            "热闹；如今有了积分，大家抢着干、比着干，村里变了",
            "样。推行积分制，关键在于公平公开、持之以恒。（",
            "叶思远）",
            "区红十字会开展“博爱送万家”活动",
            "见习记者 方可欣 特约通讯员 胡晓军",
            "  10日，区红十字会联合区人民医院、区慈善总会开展",
            "“博爱送万家”活动，为全区150户困难家庭送去棉被、",
            "大米、食用油等慰问物资，总价值6万余元，受到群众",
            "欢迎。活动中，志愿者还为困难群众测量血压，讲解冬",
            "季防寒保暖和应急救护知识，把温暖送到群众心坎上。",
            "2",
        ]
    )
    p = parse_page(text + "\n", "p.txt")
    first, second = p.articles
    assert list(first.authors) == ["叶思远"] and "叶思远" not in first.body
    assert (first.pretitle, first.column) == (None, "短评")
    assert first.body.endswith("持之以恒。")
    assert second.title == "区红十字会开展“博爱送万家”活动"
    assert list(second.authors) == ["方可欣", "胡晓军"]
    assert second.date == date(2024, 11, 10)
    assert ("2", "footer") in [(d.text, d.reason) for d in p.dropped]
    assert not p.problems


def test_bracketed_editorial_note_is_not_a_signature():
    from feeds.bylines import signature

    assert signature("欢迎广大读者参与。（完）") is None
    assert signature("欢迎广大读者参与。（未完待续）") is None
    assert signature("持之以恒。（叶思远）") == ("持之以恒。", "（叶思远）")


def test_numbered_list_after_a_colon_is_not_joined_to_it():
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）11日，会议明确了三项重点：",
        "1.抓好冬季安全生产；",
        "2.抓好民生实事项目。",
    )
    (a,) = p.articles
    assert [x.text for x in a.paragraphs] == [
        "11日，会议明确了三项重点：",
        "1.抓好冬季安全生产；",
        "2.抓好民生实事项目。",
    ]


def test_title_over_a_bare_byline_line_is_not_joined_to_an_unfinished_paragraph():
    """A paragraph left open (…的基层干部) does not swallow a title with a 记者 line below it."""
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）11日，会议表扬了一批扎根基层的干部",
        "区红十字会开展博爱送万家活动",
        "记者 方可欣 通讯员 胡晓军",
        "10日，" + BODY,
    )
    first, second = p.articles
    assert second.title == "区红十字会开展博爱送万家活动"
    assert list(second.authors) == ["方可欣", "胡晓军"]
    assert "博爱" not in first.body


PROSE = "春天种豆角、黄瓜，夏天种茄子、辣椒，一年四季，菜园里总是绿油油的。"


@pytest.mark.parametrize(
    "signed", ["◎ 叶青", "□ 方志诚", "文／徐晓岚", "文/徐晓岚", "作者 王明", "叶青"]
)
def test_a_name_alone_under_a_title_is_the_author(signed):
    """Commentaries, theory pieces and 副刊 prose credit the writer with a name line, marked
    or bare, right under the title."""
    p = page(ISSUE, "【衢江潮】", "母亲的菜园", signed, PROSE)
    (a,) = p.articles
    assert a.title == "母亲的菜园"
    assert list(a.authors) == [signed.split()[-1].split("/")[-1].split("／")[-1]]
    assert a.body == PROSE


def test_a_short_title_over_a_title_is_not_taken_for_a_name():
    """A bare line must start with a surname to be a name: 春耕 over the title is a title."""
    p = page(ISSUE, "春耕", "母亲的菜园", PROSE)
    (a,) = p.articles
    assert a.authors == () and a.title == "母亲的菜园"


def test_a_poem_keeps_its_unpunctuated_lines_as_paragraphs():
    p = page(
        ISSUE,
        "春到乌溪江",
        "◎ 郑一苇",
        "一江春水是谁打翻的砚台\n把两岸青山\n洇成了深深浅浅的绿",
        "渔舟划过\n惊起一行白鹭",
        "区图书馆启动暑期阅读活动",
        "日前，区图书馆启动暑期阅读系列活动，推出亲子共读等32场活动。",
    )
    poem, brief = p.articles
    assert poem.title == "春到乌溪江" and list(poem.authors) == ["郑一苇"]
    assert [x.text for x in poem.paragraphs] == [
        "一江春水是谁打翻的砚台",
        "把两岸青山",
        "洇成了深深浅浅的绿",
        "渔舟划过",
        "惊起一行白鹭",
    ]
    assert brief.title == "区图书馆启动暑期阅读活动"
    assert not p.problems


def test_author_note_closes_a_signed_piece():
    p = page(
        ISSUE,
        "以优良作风推动基层治理",
        "□ 方志诚",
        PROSE,
        "（作者单位：中共衢江区委党校）",
        "【衢江潮】",
        "母亲的菜园",
        "文／徐晓岚",
        PROSE,
    )
    first, second = p.articles
    assert first.credits == ("（作者单位：中共衢江区委党校）",)
    # a column name in 【】 is a column, not a 引题
    assert (second.title, second.column, second.pretitle) == ("母亲的菜园", "【衢江潮】", None)


def test_weather_box_notice_and_ad_are_dropped_not_glued_to_news():
    p = page(
        ISSUE,
        "全区防汛应急演练举行",
        "本报讯（记者 余航）6月16日，" + BODY,
        "天气预报\n今天：中雨转阵雨　23℃～29℃\n明天：阵雨转多云　24℃～31℃\n区气象台6月17日16时发布",
        "干部任前公示",
        "经区委研究，拟提拔任用以下同志，现予以公示：",
        "公示时间：2025年6月18日至6月24日。",
        "举报电话：0570-3011234",
        "中共衢州市衢江区委组织部\n2025年6月17日",
        "“红马甲”助考护航",
        "本报讯（通讯员 柴晓燕）6月15日，" + BODY,
        "滨江悦府　臻藏江景洋房　火热认筹中\n营销中心：衢江区滨江大道88号\n"
        "咨询热线：0570-8886666\n（本广告仅供参考，以合同为准）",
        "区图书馆启动暑期阅读活动",
        "日前，区图书馆启动暑期阅读系列活动，推出亲子共读等32场活动。",
    )
    assert [a.title for a in p.articles] == [
        "全区防汛应急演练举行",
        "“红马甲”助考护航",
        "区图书馆启动暑期阅读活动",
    ]
    assert p.articles[0].body == "6月16日，" + BODY
    assert p.articles[1].body == "6月15日，" + BODY
    reasons = {d.text: d.reason for d in p.dropped}
    assert reasons["区气象台6月17日16时发布"] == "weather"
    assert reasons["举报电话：0570-3011234"] == "notice"
    assert reasons["中共衢州市衢江区委组织部"] == "notice"
    assert reasons["滨江悦府　臻藏江景洋房　火热认筹中"] == "notice"
    assert reasons["咨询热线：0570-8886666"] == "notice"


def test_a_lone_phone_line_is_not_taken_for_an_ad():
    """Only a disclaimer, a 广告 label or a second contact line nearby makes an ad block."""
    p = page(
        ISSUE,
        "区图书馆启动暑期阅读活动",
        "日前，区图书馆启动暑期阅读系列活动。",
        "咨询热线：0570-8886666",
    )
    assert "notice" not in {d.reason for d in p.dropped}


def test_masthead_block_date_line_and_contents_box():
    p = parse_page(
        "今日衢江\nJINRI QUJIANG\n中共衢州市衢江区委主办　　国内统一连续出版物号：CN33-0079\n"
        "2025年2月12日　星期三　　农历乙巳年正月十五　　第2841期　　今日4版\n"
        "天气：多云转小雨　6℃～13℃\n\n第1版：要闻\n\n今日导读\n▲ 非遗巡游闹元宵　　2版\n"
        "▲ 百名医生进村送健康　　3版\n\n区红十字会温暖困难家庭\n\n"
        "本报讯（记者 方晓）2月10日，" + BODY + "\n",
        "p.txt",
    )
    (a,) = p.articles
    assert p.issue_date == date(2025, 2, 12)
    assert (a.title, a.column, a.pretitle) == ("区红十字会温暖困难家庭", None, None)
    reasons = [d.reason for d in p.dropped]
    assert (
        reasons
        == ["masthead", "masthead", "masthead", "header", "masthead", "header"] + ["contents"] * 3
    )


def test_slogan_set_tight_over_the_title_is_the_pretitle():
    """No blank line between the slogan pair and the title, one under the title: 引题."""
    tight = page(
        ISSUE,
        "开局就是决战　起步就要冲刺\n全区重大项目集中开工",
        "本报讯（记者 周逸凡）2月11日，" + BODY,
    )
    apart = page(
        ISSUE,
        "开局就是决战　起步就要冲刺",
        "全区重大项目集中开工",
        "本报讯（记者 周逸凡）2月11日，" + BODY,
    )
    assert (tight.articles[0].pretitle, tight.articles[0].column) == (
        "开局就是决战　起步就要冲刺",
        None,
    )
    assert (apart.articles[0].pretitle, apart.articles[0].column) == (
        None,
        "开局就是决战　起步就要冲刺",
    )


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("正月初八晚，", date(2025, 2, 5)),
        ("农历正月十五，", date(2025, 2, 12)),
        ("正月廿一，", date(2025, 2, 18)),
        ("除夕夜，", date(2025, 1, 28)),
        ("元宵节当晚，", date(2025, 2, 12)),
    ],
)
def test_lunar_dateline(lead, expected):
    from feeds.dates import lead_date

    assert lead_date(lead + "村里热闹非凡。", date(2025, 2, 20), 2025)[0] == expected


def test_recent_in_an_interview_intro():
    from feeds.dates import lead_date

    lead = (
        "今年，我区将一老一小服务纳入民生实事。如何让老人更安心、孩子更舒心？近日，记者专访了局长。"
    )
    assert lead_date(lead, date(2025, 4, 15), 2025) == (date(2025, 4, 15), "recent")


def test_bracketed_unit_credit_line_closes_the_article_above():
    p = page(
        ISSUE,
        "医保报销有哪些新变化",
        "问：异地就医还需要备案吗？",
        "答：参保人员在省内就医无需备案，可直接刷医保卡结算。",
        "（区医保局）",
        "你心中的文明城市是什么样",
        "记者 吴昊天 整理",
        "日前，记者在街头随机采访了几位市民。",
    )
    first, second = p.articles
    assert first.credits == ("（区医保局）",)
    assert (second.title, second.pretitle) == ("你心中的文明城市是什么样", None)


def test_blank_line_after_a_full_line_ending_a_sentence_ends_the_paragraph():
    """Hard-wrapped text with blank lines between paragraphs: a paragraph whose last line
    fills the width still ends there when the line ends a sentence; a page break (blank
    lines after a line cut mid-sentence) is joined."""
    lines = [
        "记者 陈思远",
        "",
        "三月的廿里镇，漫山橘树刚刚抽出新芽。在后",
        "溪村的柑橘分拣中心里，传送带飞速运转，一",
        "箱箱椪柑经过清洗、分级、装箱，全是汁！”",
        "",
        "大学毕业后，刘佳怡放弃了城里的工作，回村",
        "",
        "当起了“橘子主播”。两年多来，她和团队累",
        "计直播600余场，卖出柑橘150多万斤。在她",
        "的带动下，村里已有20多名年轻人加入直播。",
        "",
        "培训中，市农科院专家结合橘园实地，讲解了",
        "春季修剪、疏花保果、病虫害绿色防控等关键",
        "技术，并现场解答了橘农们提出的问题。",
    ]
    p = parse_page("\n".join([ISSUE, "", "一颗柑橘的共富之旅", *lines]) + "\n", "p.txt")
    (a,) = p.articles
    texts = [x.text for x in a.paragraphs]
    assert len(texts) == 3
    assert texts[0].endswith("全是汁！”")
    assert "回村当起了" in texts[1]


def test_a_half_width_full_stop_after_an_ideograph_ends_a_sentence_too():
    """Some dumps print 。 as a half-width "."; a full line ending so, then a blank line,
    ends the paragraph (not a page break to join); 3. or No. at a line end does not."""
    lines = [
        "记者 陈思远",
        "",
        "三月的廿里镇，漫山橘树刚刚抽出新芽。在后",
        "溪村的柑橘分拣中心里，传送带飞速运转，一",
        "箱箱椪柑经过清洗、分级、装箱，发往全国.",
        "",
        "大学毕业后，刘佳怡放弃了城里的工作，回村",
        "当起了“橘子主播”，两年来全村产值增长了3.",
        "",
        "5倍。在她的带动下，村里已有20多名年轻人",
        "加入直播。",
    ]
    p = parse_page("\n".join([ISSUE, "", "一颗柑橘的共富之旅", *lines]) + "\n", "p.txt")
    (a,) = p.articles
    texts = [x.text for x in a.paragraphs]
    assert len(texts) == 2, texts
    assert texts[0].endswith("发往全国.")
    assert "增长了3.5倍" in texts[1]


def test_interview_questions_are_text_not_subheadings():
    p = page(
        ISSUE,
        "让一老一小在家门口享服务",
        "本报记者 孔令怡",
        "近日，记者专访了区民政局局长黄卫东。",
        "记者：今年我区在养老服务方面有哪些新举措？",
        "黄卫东：今年我们重点抓三件事，新建居家养老服务中心8家。",
        "记者：资金和人员如何保障？",
        "黄卫东：区财政今年安排专项资金3200万元。",
    )
    (a,) = p.articles
    assert all(x.kind != HEADING for x in a.paragraphs)
    assert len(a.paragraphs) == 5


def test_a_punctuated_poem_signed_with_a_bare_name_stays_one_article():
    p = page(
        ISSUE,
        "春到乌溪江",
        "郑一苇",
        "一江春水是谁打翻的砚台，\n把两岸青山\n洇成了深深浅浅的绿。",
        "渔舟划过\n惊起一行白鹭\n它们扇动翅膀\n把春天驮向更远的山外。",
    )
    (poem,) = p.articles
    assert poem.title == "春到乌溪江" and list(poem.authors) == ["郑一苇"]
    assert len(poem.paragraphs) == 7
    assert poem.paragraphs[-1].text == "把春天驮向更远的山外。"


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("通讯员 何志文", ["何志文"]),  # a name ending in 文 keeps it
        ("记者 李文", ["李文"]),
        ("记者 郑雅文 摄", ["郑雅文"]),
        ("记者郑雅文摄", ["郑雅文"]),  # a glued 摄 is a credit word
        ("记者 毛嘉伟 文 俞佳琪 摄", ["毛嘉伟", "俞佳琪"]),  # a separate 文 is one
        ("记者程浩报道", ["程浩"]),
    ],
)
def test_credit_words_glued_to_a_name_and_names_ending_in_them(credit, expected) -> None:
    assert names([credit]) == expected


def test_an_editors_note_above_the_lead_does_not_hide_its_date():
    p = page(
        ISSUE,
        "网购“特价机票”　一市民险被骗走3万元",
        "编者按：临近春节，各类诈骗手法花样翻新。本期我们选取一起典型案例，提醒读者提高警惕。",
        "本报记者 郑雅文",
        "近日，家住樟潭街道的王女士在网上订购机票时险些被骗，民警及时劝阻。",
    )
    (a,) = p.articles
    assert a.date == date(2024, 11, 12) and a.date_source == "recent"


def test_a_report_is_dated_by_its_subtitle():
    p = page(
        ISSUE,
        "政府工作报告（摘要）",
        "——2025年1月7日在区第十届人民代表大会第五次会议上",
        "各位代表：现在，我代表区人民政府向大会报告工作，请予审议，并请区政协委员提出意见。",
    )
    (a,) = p.articles
    assert a.date == date(2025, 1, 7) and a.date_source == "subtitle"


def test_a_running_foot_of_labels_and_a_date_gives_the_issue_date():
    p = page(
        "区委常委会召开会议",
        "本报讯（记者 赵平）日前，区委常委会召开会议，研究部署近期重点工作。",
        "今日衢江　党建　2025年4月10日",
    )
    assert p.issue_date == date(2025, 4, 10)
    (a,) = p.articles
    assert a.date == date(2025, 4, 10)
    assert [d.reason for d in p.dropped] == ["footer"]


def test_a_wrapped_body_line_with_a_date_is_not_furniture():
    p = page(
        "区委常委会召开会议",
        "本报讯（记者 赵平）区委常委会于\n2025年4月10日 在区行政中心召开会议\n，研究部署近期重点工作。",
    )
    assert not p.dropped
    assert "2025年4月10日" in p.articles[0].body


def test_the_colon_closing_a_byline_goes_with_it():
    p = page(
        "区委常委会召开会议", "本报讯 记者 刘海 通讯员 程林 报道：2月18日，区委常委会召开会议。"
    )
    (a,) = p.articles
    assert a.paragraphs[0].text.startswith("2月18日") and list(a.authors) == ["刘海", "程林"]


@pytest.mark.parametrize("subtitle", [[], ["——2025年1月7日在区第十届人民代表大会第五次会议上"]])
@pytest.mark.parametrize(
    "speaker", ["区长　贵丽青", "衢江区人民政府区长 郑卫东", "区委书记 王慧杰"]
)
def test_a_speakers_post_and_name_under_a_report_title_is_not_its_title(subtitle, speaker):
    """政府工作报告 / (——…会议上) / 区长 贵丽青 / 各位代表：: the title stays the report's,
    the speaker goes with the subtitle, the salutation opens the body."""
    p = page(
        "今日衢江　两会特刊　2025年1月10日",
        "政府工作报告",
        *subtitle,
        speaker,
        "各位代表：",
        "　　现在，我代表区人民政府，向大会报告工作，请予审议。",
        "　　一、2024年工作回顾",
        "　　过去的一年，全区地区生产总值增长6.5%。",
    )
    (a,) = p.articles
    assert (a.title, a.pretitle) == ("政府工作报告", None)
    assert squash(speaker) in squash(a.subtitle or "")
    assert a.body.startswith("各位代表：") and squash(speaker) not in squash(a.body)
    assert list(a.authors) == []


@pytest.mark.parametrize("line", ["各位代表：", "同志们：", "尊敬的各位来宾、朋友们："])
def test_a_salutation_is_body_text_not_a_pretitle(line):
    assert not headlines.is_headline_like(line)
    assert headlines.is_headline_like("乡村振兴看衢江：")  # a 引题 ending with a colon still is


def test_profiles_in_a_box_are_articles_of_their_own():
    """A box of profiles (代表委员风采) titled 姓名：… with one closing credit line: each
    profile is an article; the credit goes with the last."""
    p = page(
        "今日衢江　两会特刊　2025年1月10日",
        "代表委员风采",
        "徐丽萍：把田间地头的声音带上会",
        "　　走进莲花镇西山下村的蔬菜基地，区人大代表徐丽萍正和菜农查看黄瓜长势。",
        "　　“菜种得好，还要卖得出、卖得远。”徐丽萍说，她会继续当好群众的代言人。",
        "叶建国：让非遗手艺后继有人",
        "　　区政协委员叶建国是省级非遗项目“衢江竹编”代表性传承人。",
        "　　“手艺要活下去，关键在年轻人。”叶建国说，他已在三所学校开设了兴趣班。",
        "（本报记者 方琳 徐晓 整理）",
    )
    first, second = p.articles
    assert first.title.startswith("徐丽萍") and second.title.startswith("叶建国")
    assert "叶建国" not in first.body and first.body.endswith("代言人。")
    assert list(second.authors) == ["方琳", "徐晓"]


def test_a_feature_quoting_people_under_name_subheadings_stays_one_article():
    """Subheadings 姓名：… under a title that names no one are the article's own."""
    p = page(
        ISSUE,
        "听，代表委员这样说",
        "本报记者 方琳",
        "　　连日来，代表委员们围绕民生热点积极建言献策。",
        "徐丽萍：把田间地头的声音带上会",
        "　　“菜种得好，还要卖得出、卖得远。”徐丽萍说。",
        "叶建国：让非遗手艺后继有人",
        "　　“手艺要活下去，关键在年轻人。”叶建国说。",
    )
    (a,) = p.articles
    assert [x.text for x in a.paragraphs if x.kind == HEADING] == [
        "徐丽萍：把田间地头的声音带上会",
        "叶建国：让非遗手艺后继有人",
    ]


@pytest.mark.parametrize("title", ["听，代表委员这样说", "看，乡村振兴新图景", "瞧！我们的村晚"])
def test_a_headline_calling_to_the_reader_is_a_title(title):
    """听，/ 看，/ 瞧！ open headlines; a character and a comma does not make it a fragment."""
    p = page(ISSUE, title, "本报记者 方琳", "　　连日来，代表委员们围绕民生热点积极建言献策。")
    (a,) = p.articles
    assert (a.title, list(a.authors)) == (title, ["方琳"])


# -- red-team G: commentary and letters pages, padded names, lettered pages, notices ---------


def test_padded_two_character_names_in_bylines():
    """Bylines pad a two-character name to three with a full-width space (王　凯)."""
    p = page(ISSUE, "老旧小区改造惠及3200余户居民", "本报讯（记者 王　凯 通讯员 郑晓燕）" + BODY)
    assert list(p.articles[0].authors) == ["王凯", "郑晓燕"]
    p = page(ISSUE, "乡村医生的“流动诊室”", "本报记者　李　娜　实习生　徐可欣　文/摄", BODY)
    (a,) = p.articles
    assert (a.title, list(a.authors)) == ("乡村医生的“流动诊室”", ["李娜", "徐可欣"])


@pytest.mark.parametrize(
    ("inside", "outside"), [("上接A04版", "下转A06版"), ("上接第B2版", "下转B3版")]
)
def test_jump_markers_with_lettered_pages(inside, outside):
    p = page(
        ISSUE,
        f"（{inside}）",
        "衢江开展夏季治安巡查宣防集中统一行动",
        "本报讯（记者 程浩）" + BODY[:-1] + f"，切实提升群众（{outside}）",
    )
    (a,) = p.articles
    assert a.title == "衢江开展夏季治安巡查宣防集中统一行动"
    assert "转" not in a.body and "版" not in a.body


def test_a_rule_taking_effect_titles_its_notice():
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）" + BODY,
        "6月1日起，城区部分路段实行单向通行",
        "　　为缓解城区交通拥堵，经研究决定，对城区部分路段实行单向通行管理。",
    )
    first, second = p.articles
    assert second.title == "6月1日起，城区部分路段实行单向通行"
    assert "单向通行" not in first.body


def test_signatures_of_commentaries_and_letters():
    p = page(
        ISSUE,
        "别让“打卡”变成“打扰”",
        "　　为基层减负，就要从减掉这些“指尖上的形式主义”做起。",
        "（周正）",
        "小区门口的“断头路”何时能打通？",
        "编辑同志：",
        "　　我是樟潭街道锦绣花园小区的居民，希望早日把这条路打通。",
        "樟潭街道锦绣花园小区居民　汪建华",
    )
    first, second = p.articles
    assert list(first.authors) == ["周正"] and "周正" not in first.body
    assert second.title == "小区门口的“断头路”何时能打通？"
    assert second.body.startswith("编辑同志：") and list(second.authors) == ["汪建华"]
    assert "汪建华" not in second.body


@pytest.mark.parametrize(
    "title", ["关于做好2025年秋季小学一年级新生入学信息登记工作的通知", "停电预告"]
)
def test_notices_signed_by_a_body_and_a_date_are_not_articles(title):
    p = page(
        "今日衢江　2025年3月12日　第6版",
        "区人民医院开设“糖尿病日间病房”",
        "本报讯（记者 张明）" + BODY,
        title,
        "　　根据工作安排，现将有关事项通知如下，请相互转告。",
        "　　衢州市衢江区教育局",
        "　　2025年3月10日",
    )
    (a,) = p.articles
    assert a.title == "区人民医院开设“糖尿病日间病房”"
    assert "教育局" not in a.body
    assert p.issue_date == date(2025, 3, 12)


# -- red-team H: briefs, special pages, tables, event notices, Q&A items ---------------------


def test_a_bracketed_closing_credit_ends_a_brief():
    """Town briefs closed by （通讯员 X）: the next headline is the next brief's title even when
    its lead opens with no date (每天清晨，…)."""
    p = page(
        ISSUE,
        "【廿里镇】冬季消防演练进企业",
        "　　12月17日下午，廿里镇在辖区企业开展冬季消防演练，50余名职工参加。",
        "　　（通讯员 汪洋 记者 程浩）",
        "【湖南镇】“银龄志愿队”守护乌溪江",
        "　　每天清晨，湖南镇银龄志愿队的队员们沿着乌溪江巡河护水。",
        "　　（全旺镇　王丽萍）",
    )
    first, second = p.articles
    assert list(first.authors) == ["汪洋", "程浩"] and "银龄" not in first.body
    assert second.title.endswith("守护乌溪江") and list(second.authors) == ["王丽萍"]
    assert "全旺镇" not in second.body


def test_a_special_pages_banner_sponsor_and_standfirst_are_not_an_article():
    p = page(
        "第05版：党建",
        "红色根脉强基　党建引领共富\n中共衢州市衢江区委组织部　主办",
        "　　今年以来，全区各级党组织涌现出一批好经验、好做法。本版聚焦基层党建一线，敬请关注。",
        "全区村社党组织书记擂台比武大会举行",
        "　　本报讯（记者　徐可欣）12月20日，全区村社党组织书记擂台比武大会在区委党校举行。",
    )
    (a,) = p.articles
    assert (a.title, a.pretitle, a.column) == ("全区村社党组织书记擂台比武大会举行", None, None)
    reasons = {d.text: d.reason for d in p.dropped}
    assert reasons["中共衢州市衢江区委组织部\u3000主办"] == "header"
    assert reasons["红色根脉强基\u3000党建引领共富"] == "banner"
    assert [r for t, r in reasons.items() if t.startswith("今年以来")] == ["standfirst"]


def test_results_tables_and_event_fields_are_text_of_their_article():
    p = page(
        ISSUE,
        "全区冬季全民健身运动会成绩揭晓",
        "　　本报讯（记者　钟可欣）1月11日，全区冬季全民健身运动会落下帷幕。",
        "团体总分前五名\n名次　　单位　　　　总分\n1　　　樟潭街道　　286\n2　　　浮石街道　　251",
        "　　区文体局相关负责人表示，将持续开展“周周有赛事”活动。",
        "“跟着非遗过大年”主题读书会本周六开讲",
        "　　本报讯（记者 钟可欣）区图书馆将举办主题读书会。",
        "时间：1月18日（星期六）14:30—16:30\n地点：区图书馆三楼多功能厅\n对象：8岁以上少年儿童",
    )
    first, second = p.articles
    texts = [x.text for x in first.paragraphs]
    assert "团体总分前五名" in texts and "1　　　樟潭街道　　286" in texts
    assert texts[-1] == "区文体局相关负责人表示，将持续开展“周周有赛事”活动。"
    assert [x.text for x in second.paragraphs][-3:] == [
        "时间：1月18日（星期六）14:30—16:30",
        "地点：区图书馆三楼多功能厅",
        "对象：8岁以上少年儿童",
    ]
    assert not [d for d in p.dropped if d.reason == "unassigned"]


def test_a_qa_item_after_an_interview_is_its_own_piece():
    p = page(
        ISSUE,
        "让好山好水成为共富“金饭碗”",
        "融媒体记者　王晨阳　叶思远",
        "　　记者：如何让文旅发展更好地带动群众增收？",
        "　　方建华：关键是让村民成为文旅发展的参与者和受益者。",
        "城区老旧小区停车难如何破解",
        "　　网友“衢江小陈”：我住的老旧小区没有规划停车位，希望有关部门想想办法。",
        "　　区住房和城乡建设局答复：今年，我区将新增停车位1200个。",
    )
    first, second = p.articles
    assert second.title == "城区老旧小区停车难如何破解" and "停车" not in first.body


# -- red-team I and J: everyday pages, Party/government/volunteer pages ----------------------


def test_a_brief_closed_by_its_own_byline_or_opening_without_a_date_is_its_own_article():
    p = page(
        ISSUE,
        "莲花镇“田保姆”让农户种田更省心",
        "本报讯（记者 蒋一鸣 通讯员 余晨光）" + BODY,
        "　　据悉，2025年莲花镇将力争托管面积突破3万亩。",
        "冬季森林防火巡查不松劲",
        "　　上周，峡川镇组织镇村干部开展森林防火巡查，排查隐患12处。",
        "　　入冬以来，全镇森林防火任务繁重。（通讯员 方可 记者 钟可欣）",
    )
    first, second = p.articles
    assert list(first.authors) == ["蒋一鸣", "余晨光"] and "森林防火" not in first.body
    assert (second.title, list(second.authors)) == ("冬季森林防火巡查不松劲", ["方可", "钟可欣"])


def test_a_run_in_brief_set_off_by_one_half_width_space():
    p = page(
        ISSUE,
        "简　讯",
        "●区市场监管局开展夏季食品安全检查 近日，区市场监管局对城区62家餐饮单位开展检查。（通讯员 周敏）",
        "●樟潭街道举办“邻里节” 6月14日，樟潭街道在沈家社区举办第三届“邻里节”。",
    )
    first, second = p.articles
    assert first.title == "区市场监管局开展夏季食品安全检查" and list(first.authors) == ["周敏"]
    assert second.title == "樟潭街道举办“邻里节”" and second.body.startswith("6月14日")


def test_box_items_in_hard_wrapped_text_keep_apart():
    """A line opening with ◆ never continues a wrapped paragraph, nor does anything follow a
    line closed by a unit's credit; the credit leaves the body, the bullet the title."""
    lines = [
        "今日衢江　2025年6月18日　第2版",
        "工作动态",
        "◆区应急管理局开展防汛应急演练",
        "　　6月14日，区应急管理局联合区水利局、高家镇在乌溪江沿线",
        "开展防汛应急演练，模拟强降雨引发山洪、群众被困等险情，检验预",
        "警发布、人员转移和抢险救援等环节的协同能力。（区应急管理局）",
        "◆区市场监管局开展燃气安全专项检查",
        "　　近日，区市场监管局组织执法人员对辖区餐饮场所开展燃气安全",
        "专项检查，重点检查燃气报警装置安装、软管老化等情况，共检查餐",
        "饮单位86家，督促整改隐患32处。",
    ]
    p = parse_page("\n".join(lines) + "\n", "p.txt")
    first, second = p.articles
    assert first.title == "区应急管理局开展防汛应急演练"
    assert first.body.endswith("协同能力。") and "区应急管理局" in (first.credit_line or "")
    assert second.title == "区市场监管局开展燃气安全专项检查"
    assert ("bullet", "◆") in {(d.reason, d.text) for d in p.dropped}


def test_a_two_phrase_pretitle_on_a_page_without_blank_lines():
    lines = [
        "今日衢江 2025年6月18日 星期三 第3版 经济",
        "订单排到年底　产能持续释放",
        "衢江锂电隔膜“出海”跑出加速度",
        "　　本报讯（记者 钟可欣）近日，走进衢江经济开发区的一家新材料企业，生产线正满负荷运转。",
        "60个“共富工坊”带动5000余名村民",
        "家门口就业",
        "　　本报讯（记者 程浩）6月13日，在高家镇盈川村，20多名村民正在组装电子元器件。",
    ]
    p = parse_page("\n".join(lines) + "\n", "p.txt")
    first, second = p.articles
    assert (first.pretitle, first.column) == ("订单排到年底　产能持续释放", None)
    assert second.title == "60个“共富工坊”带动5000余名村民家门口就业"


# -- red-team K: messy dumps ------------------------------------------------------------------


def test_full_width_digits_in_the_issue_date_and_datelines():
    p = page(
        "今日衢江　２０２４年１１月２０日　星期三　第２版　综合",
        "区政府召开常务会议",
        "本报讯（记者　王芳）１１月１８日，" + BODY,
    )
    (a,) = p.articles
    assert (p.issue_date, a.date) == (date(2024, 11, 20), date(2024, 11, 18))
    assert a.paragraphs[0].text.startswith("１１月１８日")  # the text stays as printed


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("本报讯（记者　王 芳　通讯员　李 明）11月18日，", ["王芳", "李明"]),
        ("记者　祝 晓 雯\n11月18日，", ["祝晓雯"]),
    ],
)
def test_names_a_pdfs_kerning_spread_out(byline, authors):
    p = page(ISSUE, "区 委 常 委 会 召 开 会 议", byline + BODY)
    (a,) = p.articles
    assert (a.title, list(a.authors)) == ("区委常委会召开会议", authors)


def test_a_web_pages_residue_source_line_and_repeated_title():
    p = page(
        "首页 | 电子版 | 往期回顾 | 上一篇 | 下一篇",
        "区委常委会召开会议 传达学习全国两会精神",
        "来源：今日衢江　作者：记者 郑一鸣 通讯员 毛丽娜　日期：2025-03-05",
        "区委常委会召开会议 传达学习全国两会精神",
        "　　３月４日，区委常委会召开会议，传达学习全国两会精神。",
        "【打印】【关闭】\n分享到：\n上一篇：“红领巾”志愿者走进敬老院\n下一篇：无",
    )
    (a,) = p.articles
    assert (a.title, a.pretitle) == ("区委常委会召开会议 传达学习全国两会精神", None)
    assert list(a.authors) == ["郑一鸣", "毛丽娜"]
    assert (p.issue_date, a.date) == (date(2025, 3, 5), date(2025, 3, 4))
    assert a.body == "３月４日，区委常委会召开会议，传达学习全国两会精神。"
    reasons = [d.reason for d in p.dropped]
    assert "duplicate" in reasons and "unassigned" not in reasons
    assert not p.problems


# -- red-team L: article boundaries on dense pages ---------------------------------------------


def test_a_page_opening_at_a_later_numbered_subheading_has_no_article_there():
    p = page(
        ISSUE,
        "三、抓实责任落实\n　　各地要压实属地责任，确保各项措施落到实处。",
        "区图书馆“春日书香”阅读季开幕",
        "　　本报讯（记者 叶思远）4月12日，区图书馆全民阅读季开幕。",
    )
    (a,) = p.articles
    assert a.title == "区图书馆“春日书香”阅读季开幕"
    assert [d.reason for d in p.dropped if d.text.startswith("三、")] == ["unassigned"]
    assert p.problems


def test_a_photo_caption_inside_an_article_neither_ends_nor_titles_it():
    p = page(
        ISSUE,
        "我区启动2025年春季“护林行动”",
        "　　本报讯（记者 叶思远 通讯员 柴丽芳）4月14日，我区春季“护林行动”在莲花镇启动。",
        "　　图为护林员在莲花镇芝溪村山林开展巡查　记者 叶思远 摄",
        "二、精简考核台账",
        "　　今年以来，全区开展林区巡查1200余次。",
        "　　图为护林员开展巡查。",
        "（记者 钟可欣 摄）",
        "三、强化宣传引导",
        "　　“现在是森林火灾的高发期。”莲花镇专职护林员郑国平说。",
    )
    (a,) = p.articles
    assert "摄" not in a.body and [x.text for x in a.paragraphs if x.kind == HEADING] == [
        "二、精简考核台账",
        "三、强化宣传引导",
    ]


def test_items_of_a_brief_box_and_a_closing_credit_inside_the_last_paragraph():
    p = page(
        ISSUE,
        "简讯",
        "区图书馆“春日书香”阅读季开幕",
        "　　4月12日，区图书馆全民阅读季开幕。（通讯员 余晨光）",
        "杜泽镇开展消防安全“敲门行动”",
        "　　为切实防范春季火灾事故，杜泽镇组织镇村干部逐户上门排查。",
        "区人社局举办“春风行动”专场招聘会",
        "　　为帮助群众就近就业，区人社局举办专场招聘会。",
    )
    titles = [a.title for a in p.articles]
    assert titles == [
        "区图书馆“春日书香”阅读季开幕",
        "杜泽镇开展消防安全“敲门行动”",
        "区人社局举办“春风行动”专场招聘会",
    ]
    assert list(p.articles[0].authors) == ["余晨光"] and "余晨光" not in p.articles[0].body


def test_an_editors_note_over_a_series_title_opens_that_article():
    p = page(
        ISSUE,
        "区政府召开常务会议",
        "本报讯（记者 张明）11日，" + BODY,
        "【新春走基层】",
        "　　编者按：即日起，本报推出“新春走基层”系列报道。敬请关注。",
        "区交通运输局全力做好春运准备",
        "本报记者 孔令怡",
        "　　春运首日，记者来到衢江汽车站。",
    )
    first, second = p.articles
    assert "编者按" not in first.body and "新春走基层" not in first.body
    assert second.body.startswith("编者按：") and list(second.authors) == ["孔令怡"]
    assert second.column == "【新春走基层】"


def test_a_news_link_box_stays_with_its_article():
    p = page(
        ISSUE,
        "我区发布首批“乡村运营师”名单",
        "本报讯（记者 张明）11日，" + BODY,
        "新闻链接",
        "什么是“乡村运营师”",
        "　　乡村运营师是指受聘于村集体或运营企业、对乡村资源进行市场化运营的专业人才。",
    )
    (a,) = p.articles
    assert "什么是“乡村运营师”" in [x.text for x in a.paragraphs if x.kind == HEADING]
    assert a.body.endswith("专业人才。")


@pytest.mark.parametrize(
    "credit",
    ["(记者 刘威 见习记者 汪洋)", "（记者 刘威 通讯员 汪洋）", "(通讯员 刘威 本报记者 汪洋)"],
)
def test_a_lead_opening_with_its_bracketed_byline(credit):
    """No 本报讯 before it: (记者 刘威 见习记者 汪洋)3月1日,… is still the byline."""
    p = page(ISSUE, "区红十字会召开三届四次理事会议", credit + "3月1日," + BODY)
    (a,) = p.articles
    assert list(a.authors) == ["刘威", "汪洋"] and a.body.startswith("3月1日,")


def test_a_wrapped_page_opening_inside_a_paragraph_has_no_article_there():
    """The first line is a full wrapped line of an article from another page (no punctuation
    in it by chance): it runs on into the next line, and both are reported, not a title."""
    lines = [
        "2　要闻　　2025年1月8日　星期三　　责任编辑：毛佳怡",
        "风险隐患排查整治和安全生产责任体系建设工作持续走",
        "深走实，全区安全生产形势保持总体平稳。",
        "　　会议还研究了其他事项。",
        "区委理论学习中心组举行2025年第一次集体学习",
        "　　本报讯（记者 叶思远 柴丽芳）1月6日，区委",
        "理论学习中心组举行2025年第一次集体学习，深入",
        "学习贯彻中央经济工作会议和省委经济工作会议精神。",
        "区委书记邵建明主持并讲话。",
        "　　会议指出，中央经济工作会议全面总结2024年",
        "经济工作，深刻分析当前经济形势，系统部署2025",
        "年经济工作，为做好明年经济工作指明了方向。全区各",
        "级党组织和广大党员干部要把思想和行动统一到党中央",
        "决策部署上来，切实增强做好经济工作的责任感和紧迫",
        "感。",
    ]
    p = parse_page("\n".join(lines) + "\n", "p.txt")
    (a,) = p.articles
    assert a.title == "区委理论学习中心组举行2025年第一次集体学习"
    unassigned = [d.text for d in p.dropped if d.reason == "unassigned"]
    assert unassigned[0].startswith("风险隐患") and unassigned[0].endswith("总体平稳。")


def test_one_lone_title_in_an_article_without_subheadings_opens_the_next():
    """No series of subheadings, no byline or date under it: a title-length headline line
    after a bylined report is the next (byline-less, undated) article's title; a short
    sidebar label (人物名片) stays a subheading."""
    p = page(
        ISSUE,
        "全区中小学生田径运动会开幕",
        "　　本报讯 记者刘振宇报道 5月10日，衢江区第二十届中小学生田径运动会开幕。",
        "　　本届运动会为期三天，共有1100余名运动员参赛。",
        "一位乡村教师的三十年坚守",
        "　　在湖南镇破石村小学，有一位扎根山区三十年的老师，他叫邱文斌。",
    )
    first, second = p.articles
    assert second.title == "一位乡村教师的三十年坚守" and "邱文斌" not in first.body
    p = page(
        ISSUE,
        "“蜂王”郑大山：甜蜜事业带富一方乡亲",
        "本报记者 陈梦",
        "　　清晨6点，举村乡破石村的山坡上已是一片嗡嗡声。",
        "人物名片",
        "　　郑大山，1972年出生，举村乡破石村人。",
    )
    (a,) = p.articles
    assert [x.text for x in a.paragraphs if x.kind == HEADING] == ["人物名片"]


def test_a_jumped_article_goes_on_where_its_continuation_is_in_the_same_dump():
    """Pages 1 and 2 in one file: (下转第2版) … (上接第1版) is one article, the paragraph the
    break cut is joined again and its subheadings stay its own; the article in between keeps
    its text."""
    text = "\n".join(
        [
            "今日衢江　2024年5月22日　星期三　第1版　要闻",
            "城市更新三年行动全面提速",
            "　　本报讯（记者 顾文杰）5月21日，我区全面实施城市更新三年行动，成效明显。",
            "■ 老旧小区焕新颜",
            "　　走进新华小区，外墙刚刚粉刷一新。下一步，我区将加快推进城中村（下转第2版）",
            "区委常委会召开会议",
            "　　本报讯（记者 卢思远）5月20日，区委常委会召开会议。会议还研究了其他事项。",
            "今日衢江　2024年5月22日　星期三　第2版　综合",
            "（上接第1版）改造项目建设，让群众早日住上新房。",
            "■ 配套设施补短板",
            "　　今年新建改建城市道路12条，让城市更有温度。",
            "莲花镇西瓜节开园迎客",
            "　　本报讯（记者 林晓蔓）5月19日，第六届莲花镇西瓜节开幕。",
        ]
    )
    p = parse_page(text + "\n", "p.txt")
    assert [a.title for a in p.articles] == [
        "城市更新三年行动全面提速",
        "区委常委会召开会议",
        "莲花镇西瓜节开园迎客",
    ]
    renewal, meeting, _ = p.articles
    assert "加快推进城中村改造项目建设，让群众早日住上新房。" in squash(renewal.body)
    assert [squash(x.text).lstrip("■") for x in renewal.paragraphs if x.kind == HEADING] == [
        "老旧小区焕新颜",
        "配套设施补短板",
    ]
    assert "新房" not in meeting.body and "道路" not in meeting.body
    # the title repeated over the continuation is dropped, not a new article
    repeated = text.replace("（上接第1版）", "城市更新三年行动全面提速\n（上接第1版）")
    p = parse_page(repeated + "\n", "p.txt")
    assert [a.title for a in p.articles][0] == "城市更新三年行动全面提速"
    assert len(p.articles) == 3
    assert any(d.reason == "duplicate" and "城市更新" in d.text for d in p.dropped)
    # a jump to page 2 is not continued by text from page 2: (上接第2版) is another article's
    other = text.replace("（上接第1版）", "（上接第2版）")
    p = parse_page(other + "\n", "p.txt")
    assert "新房" not in p.articles[0].body


def test_on_a_page_whose_blank_lines_part_articles_a_lone_headline_opens_one():
    text = "\n".join(
        [
            "“小年”里的志愿红",
            "　　本报讯（记者 林晓蔓）2月2日，200余名志愿者走进全区20个村（社区）写春联。",
            "　　据了解，春节期间全区将开展节日志愿服务活动500余场次。",
            "",
            "热血迎新春",
            "　　为缓解春节前后临床用血紧张状况，区献血办开展无偿献血活动。",
            "　　当天共有126名爱心人士成功献血。",
            "",
            "区政府召开第10次常务会议",
            "　　本报讯（记者 顾文杰）2月4日，区政府召开第10次常务会议。",
            "",
            "寒假“学雷锋”小分队走进敬老院",
            "　　本报讯（见习记者 何语桐）2月4日，30余名志愿者走进区中心敬老院。",
            "",
            "地址：衢州市衢江区振兴东路188号　邮编：324022　新闻热线：0570-3016688",
            "印刷：衢州日报社印务中心　本报法律顾问：浙江衢江律师事务所",
        ]
    )
    p = parse_page(text + "\n", "p.txt")
    assert [a.title for a in p.articles][:2] == ["“小年”里的志愿红", "热血迎新春"]
    assert len(p.articles) == 4
    assert "地址" not in p.articles[-1].body and "印刷" not in p.articles[-1].body
    assert {d.reason for d in p.dropped if d.text.startswith(("地址", "印刷"))} == {"footer"}


def test_a_service_address_closing_an_article_is_its_text():
    p = page(
        ISSUE,
        "区政务服务中心新增夜间服务窗口",
        "　　本报讯（记者 顾文杰）3月5日，区政务服务中心新增夜间服务窗口，方便上班族办事。",
        "地址：衢江区振兴东路100号　电话：0570-3011234",
    )
    (a,) = p.articles
    assert "振兴东路100号" in a.body


def test_a_share_bar_of_a_web_dump_is_furniture():
    p = page(
        ISSUE,
        "汛前清障保安澜",
        "　　本报讯（记者 徐可）6月4日，我区全面开展河道“清四乱”专项行动。",
        "分享到：　微信　微博　QQ空间",
        "衢江区第十三届运动会开幕",
        "　　本报讯（记者 林晓蔓）6月3日，衢江区第十三届运动会开幕。",
    )
    assert not any(a.pretitle for a in p.articles)
    assert any(d.reason == "footer" and d.text.startswith("分享到") for d in p.dropped)


@pytest.mark.parametrize(
    ("marker", "label"),
    [
        ("（下转第2版）", "2"),
        ("(下转第二版)", "2"),
        ("（上接第０２版）", "2"),
        ("（上接A04版）", "A4"),
        ("（转第十二版）", "12"),
        ("（上接第二十三版）", "23"),
    ],
)
def test_jump_markers_name_their_page_one_way(marker, label):
    from feeds.furniture import jump_page

    assert jump_page(marker) == label


def test_a_lone_headline_over_a_briefs_lead_opens_the_brief():
    """为保障…，区市场监管局组织…: a purpose clause, then a unit doing something, is how a
    byline-less brief opens; its title is no subheading of the report above, even when more
    titles of the same shape follow."""
    p = page(
        ISSUE,
        "区委理论学习中心组举行集体学习",
        "　　本报讯（记者 叶思远）1月6日，区委理论学习中心组举行集体学习。会议强调，要坚持稳中求进。",
        "热血迎新春",
        "　　为缓解春节前后临床用血紧张状况，区献血办联合区红十字会开展无偿献血活动。",
        "区交通运输局全力做好春运准备",
        "　　今年春运，我区预计道路客运量将达到32万人次。",
    )
    assert [a.title for a in p.articles][:2] == ["区委理论学习中心组举行集体学习", "热血迎新春"]
    # a marked subheading over such a paragraph stays one
    p = page(
        ISSUE,
        "区委理论学习中心组举行集体学习",
        "　　本报讯（记者 叶思远）1月6日，区委理论学习中心组举行集体学习。",
        "■ 强化保障",
        "　　为确保各项任务落地，区委办组织开展专项督查。",
    )
    (a,) = p.articles
    assert [squash(x.text) for x in a.paragraphs if x.kind == HEADING] == ["■强化保障"]


def test_a_notice_ends_at_its_signature_date_and_a_letter_after_it_is_kept():
    p = page(
        ISSUE,
        "停电预告",
        "　　因电力设施检修，以下区域将暂停供电，请相关用户提前做好准备。",
        "　　1月11日　7:30—16:30　廿里镇后溪村、孟姜村",
        "　　国网衢州市衢江区供电公司",
        "　　2025年1月8日",
        "【读者来信】",
        "楼道里的电动车何时能“清零”？",
        "　　编辑同志：",
        "　　我家住在锦苑小区，最近发现小区不少楼道里停放着电动车。希望有关部门加强管理。",
        "锦苑小区居民　李秀英",
    )
    (letter,) = p.articles
    assert "清零" in letter.title and "李秀英" in letter.authors
    assert "暂停供电" not in letter.body


def test_sponsor_lines_of_a_special_page_with_the_field_first_are_furniture():
    p = page(
        ISSUE,
        "主办：衢州市衢江区残疾人联合会",
        "承办：今日衢江编辑部",
        "助残志愿者走进社区送服务",
        "　　本报讯（通讯员 周琪）5月16日，30余名助残志愿者走进社区，为残疾人送服务。",
    )
    assert [a.title for a in p.articles] == ["助残志愿者走进社区送服务"]
    sponsors = {d.reason for d in p.dropped if d.text.startswith(("主办", "承办"))}
    assert sponsors <= {"header", "masthead"} and len(sponsors) >= 1
    assert not any(d.reason == "unassigned" for d in p.dropped)


@pytest.mark.parametrize("signature", ["◎ 叶　青", "区发改局　叶青"])
def test_a_writer_under_a_title_padded_or_with_a_unit(signature):
    p = page(
        ISSUE,
        "优化营商环境要在“快”字上下功夫",
        signature,
        "　　营商环境就是生产力。企业最盼的是办事快、审批快、落地快。",
    )
    (a,) = p.articles
    assert a.title == "优化营商环境要在“快”字上下功夫" and list(a.authors) == ["叶青"]
    assert "叶" not in a.body[:3]


def test_a_poem_title_over_its_dedication_and_writer_opens_the_next_poem():
    text = "\n".join(
        [
            ISSUE,
            "桔花开了",
            "",
            "◎ 周望舒",
            "",
            "四月的风",
            "从江面上走来",
            "推开了满山的桔园",
            "",
            "守林人",
            "",
            "——致乌溪江畔的护林员老徐",
            "",
            "□ 余小溪",
            "",
            "他把脚印",
            "种在每一条山道上",
        ]
    )
    first, second = parse_page(text + "\n", "p.txt").articles
    assert "守林人" not in first.body and second.title == "守林人"
    assert "老徐" in (second.subtitle or "") and list(second.authors) == ["余小溪"]


def test_a_credit_cut_after_the_name_closes_on_an_indented_looking_line():
    """Hard-wrapped text: …（记者　毛嘉伟 / 　摄） is one credit, not a new paragraph."""

    def wrap(para: str, width: int = 22) -> list[str]:
        return [para[k : k + width] for k in range(0, len(para), width)]

    photo = (
        "　　1月6日，在杜泽镇杜泽村，村民们趁着晴好天气晾晒腊肉、香肠、酱鸭等年货，一排排"
        "腊味在阳光下泛着油光，浓浓的年味扑面而来。（记者　毛嘉伟"
    )
    meeting = (
        "　　本报讯（记者 顾文杰）1月6日，区政府召开第10次常务会议，研究部署春节期间安全"
        "生产、市场保供和根治欠薪等工作。会议强调，要紧盯重点领域，坚决防范各类事故发生。"
    )
    lines = [ISSUE, "冬日暖阳晒“年味”", *wrap(photo), "　摄）", "区政府召开第10次常务会议"]
    text = "\n".join([*lines, *wrap(meeting)])
    first, second = parse_page(text + "\n", "p.txt").articles
    assert list(first.authors) == ["毛嘉伟"] and "摄" not in first.body
    assert second.title == "区政府召开第10次常务会议"


def test_half_width_dumps_end_sentences_and_close_with_credits():
    """A half-width full stop after a quote ends the sentence (…"开门红".), and a credit after
    it closes the article; a running head set with bars gives the issue date."""
    p = page(
        "今日衢江 | 2025-01-04 | 第3版 | 综合",
        "区委理论学习中心组举行集体学习",
        '\t1月2日,区委理论学习中心组举行集体学习,奋力夺取首季"开门红".(记者 周 敏)',
        '新年就业服务"不打烊"',
        "\t日前,记者就新年就业服务工作采访了区人力社保局局长吴建华.",
    )
    first, second = p.articles
    assert list(first.authors) == ["周敏"] and "不打烊" not in first.body
    assert second.title == '新年就业服务"不打烊"'
    assert p.issue_date == date(2025, 1, 4) and second.date == date(2025, 1, 4)


def test_a_special_pages_banner_deck_and_sponsors_are_furniture():
    p = page(
        "今日衢江\n2025年3月5日　星期三\n第04版：专题",
        "学雷锋　志愿行\n——衢江区2025年“学雷锋志愿服务月”特刊\n"
        "衢江区志愿者协会　衢江区新时代文明实践中心　联合主办",
        "十二年如一日　义务修补暖邻里——",
        "老党员毛根水的“便民修补铺”",
        "　　每天早上7点，家住浮石街道沙湾社区的毛根水都会准时支起他的“便民修补铺”。",
        "（通讯员 柴晓燕）",
    )
    (a,) = p.articles
    assert a.title == "老党员毛根水的“便民修补铺”"
    assert a.pretitle == "十二年如一日　义务修补暖邻里" and not a.subtitle
    reasons = {d.text[:5]: d.reason for d in p.dropped}
    assert reasons["学雷锋　志"] == "banner" and reasons["衢江区志愿"] == "header"


def test_a_box_of_quotations_is_a_sidebar_not_an_article():
    p = page(
        ISSUE,
        "手语课堂里的“知心姐姐”",
        "　　3月2日上午，手语课堂开课。她为听障群体架起一座沟通的桥梁。",
        "（见习记者 蓝可心）",
        "志愿者心声",
        "　　“志愿服务不是一时的热情，而是一辈子的坚持。”——沙湾社区志愿者　王美英",
        "　　“每一次出发，都是为了让更多人平安回家。”——蓝天救援队队员　方俊",
        "从“受助者”到“助人者”——",
        "残疾青年周磊的“雷锋车队”",
        "　　在杜泽镇，提起周磊的“雷锋车队”，几乎无人不知。",
    )
    assert [a.title for a in p.articles] == ["手语课堂里的“知心姐姐”", "残疾青年周磊的“雷锋车队”"]
    assert {d.reason for d in p.dropped if "王美英" in d.text or "方俊" in d.text} == {"quotes"}
    assert "坚持" not in p.articles[0].body


@pytest.mark.parametrize(
    ("cut", "authors"),
    [
        ("本报讯(记者 郑一帆 见习记者 徐\n\n可馨)4月8日下午,", ["郑一帆", "徐可馨"]),
        ("本报讯(记者 叶思远 通讯员 柴丽芳\n\n\n方敏)4月8日下午,", ["叶思远", "柴丽芳", "方敏"]),
        ("本报讯（记者 郑一帆 见习记者 徐\n\n可馨）4月8日下午,", ["郑一帆", "徐可馨"]),
    ],
)
def test_a_byline_cut_by_a_page_break_inside_its_brackets(cut, authors):
    p = page(ISSUE, "区政府召开第58次常务会议", cut + BODY)
    (a,) = p.articles
    assert list(a.authors) == authors and a.date == date(2024, 4, 8)
    assert a.body.startswith("4月8日下午") and "可馨" not in a.body and "方敏" not in a.body


@pytest.mark.parametrize(
    "attended", ["邵建明林晓燕等出席", "邵建明 林晓燕等参加", "邵建明林晓燕等区领导出席"]
)
def test_who_attended_under_a_title_is_its_subtitle(attended):
    p = page(
        ISSUE, "衢江区2025年一季度重大项目集中开工", attended, "本报讯(记者 张明)3月4日," + BODY
    )
    (a,) = p.articles
    assert a.title == "衢江区2025年一季度重大项目集中开工" and a.subtitle == attended


@pytest.mark.parametrize(
    ("credit", "authors"),
    [
        ("柴丽芳 摄", ["柴丽芳"]),
        ("陈一鸣 文 余晨光 摄", ["陈一鸣", "余晨光"]),
        ("（柴丽芳 摄）", ["柴丽芳"]),
    ],
)
def test_a_photographers_bare_name_closes_a_caption(credit, authors):
    p = page(
        ISSUE, "冬日暖阳晒“秋收”", "　　10月8日，村民们在晒场上翻晒稻谷，一派丰收景象。 " + credit
    )
    (a,) = p.articles
    assert list(a.authors) == authors and "摄" not in a.body


def test_a_figure_line_under_a_title_is_its_subtitle():
    p = page(
        ISSUE, "老旧小区加装电梯“加速跑”", "今年已完工投用46台", "本报讯(记者 张明)3月4日," + BODY
    )
    (a,) = p.articles
    assert a.title == "老旧小区加装电梯“加速跑”" and a.subtitle == "今年已完工投用46台"


def test_a_caption_set_inside_another_articles_page_break_goes_to_the_next_article():
    p = page(
        ISSUE,
        "老旧小区加装电梯“加速跑”",
        "本报讯（记者 徐婧）10月14日，区住建局推行“一站式”审批服务，并对符合条件的加装电",
        "图为10月13日，樟潭街道首届邻里文化节现场，居民体验竹编技艺。 记者 毛嘉伟 摄",
        "梯项目给予每台最高20万元的财政补助。",
        "樟潭街道首届邻里文化节开幕",
        "本报讯（通讯员 郑一帆）10月13日，樟潭街道首届邻里文化节开幕。",
        "活动为期一周。",
    )
    lift, fair = p.articles
    assert "加装电梯项目给予每台最高20万元" in squash(lift.body) and "竹编" not in lift.body
    assert "竹编技艺" in fair.body and "毛嘉伟" in fair.authors and "摄" not in fair.body


# -- round T/U rules ------------------------------------------------------------------------

MEETING = "本报讯(记者 汪晨)1月2日上午,区政府召开第58次常务会议,研究民生实事项目等工作。"
BRIEF = "日前,周家乡志愿者为辖区困难家庭送去年货。"


def test_a_paragraphs_first_words_over_a_page_break_are_not_a_title():
    """会议强调 / (page break) / ,民生实事是…: one paragraph, not an article 会议强调."""
    text = "\n\n".join([ISSUE, "区政府召开第58次常务会议", MEETING, "会议强调"])
    text += "\n\n\n\n,民生实事是政府向群众作出的郑重承诺,要倒排工期、挂图作战。\n"
    (a,) = parse_page(text, "p.txt").articles
    assert "会议强调,民生实事是政府" in squash(a.body)


def test_a_page_break_early_in_a_paragraph_after_a_subheading():
    """A subheading, then a paragraph's first words, a page break, its rest (no dateline):
    the article goes on; its subheadings stay subheadings."""
    blocks = [
        ISSUE,
        "全区民生实事项目推进会召开",
        "本报讯 记者汪晨报道 1月7日,全区民生实事项目推进会召开。",
        "会议通报,2024年我区确定的民生实事项目已全部完成。",
        "聚焦“一老一小” 织密民生保障网",
        "今年,我区将新建居家养老服务中心3家,扩大“一老一小”优质服务供给。",
        "补齐短板 提升城乡品质",
        "各责任单位要加快推进",
    ]
    text = (
        "\n\n".join(blocks) + "\n\n\n\n农村供水保障提升、老旧小区改造等项目,确保年底前全部完成。\n"
    )
    (a,) = parse_page(text, "p.txt").articles
    heads = [p.text for p in a.paragraphs if p.kind == HEADING]
    assert heads == ["聚焦“一老一小” 织密民生保障网", "补齐短板 提升城乡品质"]
    assert "各责任单位要加快推进农村供水保障提升" in squash(a.body)


def test_a_title_over_a_page_break_still_opens_a_dated_brief():
    """The gap alone does not make a title text: a dated lead under it opens an article."""
    text = "\n\n".join([ISSUE, "区政府召开第58次常务会议", MEETING, "周家乡“红马甲”上门送年货"])
    text += "\n\n\n\n" + BRIEF + "\n"
    meeting, brief = parse_page(text, "p.txt").articles
    assert brief.title == "周家乡“红马甲”上门送年货" and "送去年货" in brief.body


@pytest.mark.parametrize(
    ("credit", "authors"),
    [
        ("记者 洪 纲 郑 可", ["洪纲", "郑可"]),
        ("记者 刘 威 通讯员 徐 峰 蒋 琳", ["刘威", "徐峰", "蒋琳"]),
        ("记者 方 勇 蓝 天 吴 斌", ["方勇", "蓝天", "吴斌"]),
        ("通讯员 祝 晓 雯 叶 思 远", ["祝晓雯", "叶思远"]),
        ("见习记者郑晓雯通讯员严丽芳", ["郑晓雯", "严丽芳"]),
        ("区红十字会 供稿", []),
        ("记者 叶思远 文 汪 洋 摄", ["叶思远", "汪洋"]),
    ],
)
def test_padded_and_glued_names(credit, authors):
    assert names([credit]) == authors


@pytest.mark.parametrize(
    ("first", "second", "authors"),
    [
        (
            "本报讯（记者 许梦瑶 见习记者 郑 可 通讯员",
            "吴 斌）12月29日，",
            ["许梦瑶", "郑可", "吴斌"],
        ),
        ("本报讯（记者 方 勇 蓝 天", "吴 斌）12月29日，", ["方勇", "蓝天", "吴斌"]),
        ("本报讯（记者 郑一帆 见习记者 徐", "可馨）12月29日，", ["郑一帆", "徐可馨"]),
    ],
)
def test_a_byline_wrapped_inside_its_brackets(first, second, authors):
    """A hard wrap after a role word or inside a run of padded names parts two names; one
    inside a name does not."""
    wrapped = "　　" + first + "\n" + second + "湖南镇水上救援队开展冬季水域救援演练，30余名队员参"
    body = "加。\n　　演练模拟一名垂钓者不慎落水的情景，队员们迅速出动，成功将落水者救上岸来。\n"
    rest = "　　据了解，该救援队成立于2018年，现有队员40余名，常年开展水上救援和防溺水宣传。\n"
    (a,) = parse_page(
        "湖南镇“水上救援队”开展冬季水域救援演练\n" + wrapped + body + rest, "p.txt"
    ).articles
    assert list(a.authors) == authors


def test_a_padded_name_under_a_commentary_title_is_its_writer():
    p = page(ISSUE, "让志愿精神在基层落地生根", "徐 宁", "志愿服务是城市文明的重要标尺。" + BODY)
    (a,) = p.articles
    assert (a.title, list(a.authors)) == ("让志愿精神在基层落地生根", ["徐宁"])


def test_yesterday_anywhere_in_the_lead():
    p = page(
        "2025年6月12日 星期四",
        "衢江外贸企业订单同比增长三成",
        "本报讯(见习记者 汪雨婷)记者昨日从区商务局获悉，今年1至5月，全区外贸进出口总额同比增长31.2%。",
    )
    (a,) = p.articles
    assert a.date == date(2025, 6, 11)


@pytest.mark.parametrize(
    ("between", "tail"),
    [
        (  # a photo and its caption set inside the break
            ["“红马甲”上门送温暖", "1月6日,莲花镇志愿者走进五坦村独居老人家中。 记者 叶思远 摄"],
            "群租房、电动自行车集中充电场所等重点部位的排查整治,做到隐患动态清零。",
        ),
        (  # a dated brief
            ["周家乡“红马甲”上门送年货", BRIEF, "据了解,周家乡现有志愿者600余人。"],
            "群租房、电动自行车集中充电场所等重点部位的排查整治,做到隐患动态清零。",
        ),
    ],
)
def test_the_rest_of_a_cut_paragraph_after_a_piece_set_inside_the_break(between, tail):
    cut = "会议强调,各乡镇要压紧压实属地责任,加强对出租房、"
    text = "\n\n".join([ISSUE, "区政府召开第36次常务会议", MEETING, cut]) + "\n\n"
    text += "\n\n".join(between) + "\n\n\n\n" + tail + "\n\n会议还研究了其他事项。\n"
    meeting, other = parse_page(text, "p.txt").articles
    assert "加强对出租房、群租房、电动自行车" in squash(meeting.body)
    assert "会议还研究了其他事项" in meeting.body and "群租房" not in other.body


def test_a_paragraph_after_a_break_in_a_closed_article_stays_there():
    """Without a sign that it goes on the cut sentence (a comma or 、 at the cut, no indent,
    a fragment), a paragraph after a page break is the running article's."""
    cut = "会议强调,各乡镇要压紧压实属地责任,加强对出租房的排查整治"
    text = "\n\n".join([ISSUE, "区政府召开第36次常务会议", MEETING, cut]) + "\n\n"
    text += "\n\n".join(["周家乡“红马甲”上门送年货", BRIEF]) + "\n\n\n\n"
    text += "志愿者们还帮老人打扫庭院、检查用电线路。\n"
    meeting, brief = parse_page(text, "p.txt").articles
    assert "打扫庭院" in brief.body and "打扫庭院" not in meeting.body


def test_a_slogan_pair_over_a_title_mid_page_is_its_pretitle():
    """At the top of a page a slogan pair over the title is a column banner (dev page-01);
    over a later article's title it is the 引题."""
    p = page(
        ISSUE,
        "区政府召开第58次常务会议",
        MEETING,
        "凝聚青春力量 助力乡村振兴",
        "廿里镇“青年夜校”开课了",
        "本报讯(通讯员 徐丽)1月8日晚,廿里镇“青年夜校”开课。",
    )
    night = p.articles[1]
    assert (night.pretitle, night.column) == ("凝聚青春力量 助力乡村振兴", None)


def test_a_jump_marker_on_its_own_line_under_a_title_opens_a_continued_article():
    """title / (上接第1版) / text: a continued article, never a paragraph cut by a page break
    (the marker's line leaves a gap that looks like one)."""
    text = "\n\n".join(
        [
            "第02版：要闻",
            "区政府召开第58次常务会议",
            MEETING,
            "会上，区委、区政府为首批10个项目专班授旗。",
            "全区“双招双引”工作推进会召开",
            "(上接第1版)",
            "会议强调,要坚持招商引资“一号工程”不动摇,全力以赴抓项目、促投资。",
        ]
    )
    meeting, jobs = parse_page(text + "\n", "p.txt").articles
    assert jobs.title == "全区“双招双引”工作推进会召开" and jobs.continued
    assert "双招双引" not in meeting.body and jobs.body.startswith("会议强调")


@pytest.mark.parametrize(
    ("lead", "issue", "expected"),
    [
        ("昨（19）日上午，衢江杨梅节开幕。", date(2024, 6, 20), date(2024, 6, 19)),
        ("今年3月5日是第60个“学雷锋纪念日”。", date(2024, 3, 6), date(2024, 3, 5)),
        ("今年3月5日是第60个“学雷锋纪念日”。", None, date(2023, 3, 5)),
        ("元月4日，区委召开会议。", date(2025, 1, 6), date(2025, 1, 4)),
        ("本月18日，全区召开会议。", date(2024, 6, 20), date(2024, 6, 18)),
        ("上月28日，全区召开会议。", date(2025, 1, 3), date(2024, 12, 28)),
        ("寒冬时节，暖意浓浓。上月28日，志愿者走进村里。", date(2025, 1, 3), date(2024, 12, 28)),
    ],
)
def test_worded_datelines(lead, issue, expected):
    from feeds.dates import lead_date

    assert lead_date(lead, issue, 2023)[0] == expected


def test_a_title_in_reading_order_is_not_rotated_by_a_coincidence():
    """The lead runs across 全套 / 开办 by chance (拿齐全套开办材料): not proof of a scramble."""
    lead = (
        "记者从区市场监管局获悉，我区推出企业开办“一件事”改革，群众最快半天就能拿齐全套开办材料。"
    )
    assert headlines.unscramble("开办一家企业 半天就能拿齐“全套”", lead) == (
        "开办一家企业 半天就能拿齐“全套”"
    )
    seed_lead = "2月19日,区委常委会召开会议,传达学习近期习近平总书记重要讲话重要文章精神。"
    got = headlines.unscramble(
        "习近平总书记重要讲话重要文章精神 区委常委会召开会议 传达学习近期", seed_lead
    )
    assert squash(got) == "区委常委会召开会议传达学习近期习近平总书记重要讲话重要文章精神"


# -- round X/Y rules ------------------------------------------------------------------------


def test_a_cut_quotation_in_an_orphan_article_is_joined_not_a_title():
    """A title over a fragment (its article's start is lost); later a quotation cut at a
    page break with one blank line (“…,也是一份承 / 诺。”…): joined, not a new article."""
    p = page(
        ISSUE,
        "区政府召开第58次常务会议",
        MEETING,
        "衢江一志愿者获评全省“最美应急志愿者”",
        "秀志愿者、衢州市“最美衢江人”等称号。",
        "“救援是一份责任,也是一份承",
        "诺。”这是徐国强常挂在嘴边的一句话。",
    )
    meeting, hero = p.articles
    assert hero.title == "衢江一志愿者获评全省“最美应急志愿者”"
    assert "也是一份承诺。”这是徐国强" in squash(hero.body) and "志愿者" not in meeting.body


def test_a_title_scrambled_out_of_rotation_order():
    lead = "本报讯(记者 张明)1月20日,区委常委会召开会议,研究部署“两节”期间各项工作。"
    got = headlines.unscramble("区委常委会召开会议 “两节”期间各项工作 研究部署", lead)
    assert squash(got).startswith("区委常委会召开会议研究部署“两节”期间各项工作") or squash(
        got
    ) == squash("区委常委会召开会议 研究部署“两节”期间各项工作")


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("本报讯 — 记者 占一帆 通讯员 刘晨阳 11月4日，", ["占一帆", "刘晨阳"]),
        ("本报讯——记者 占一帆 11月4日，", ["占一帆"]),
        ("本报讯 记者 许梦瑶 通讯员 郑晓：11月4日，", ["许梦瑶", "郑晓"]),
    ],
)
def test_bylines_set_off_by_a_dash_or_closed_by_a_colon(byline, authors):
    p = page(ISSUE, "区政府召开第58次常务会议", byline + BODY)
    (a,) = p.articles
    assert list(a.authors) == authors and a.body.startswith("11月4日")


def test_a_writer_credit_with_a_bar():
    p = page(
        ISSUE, "让志愿服务成为城市最温暖的底色", "文丨周远", "志愿服务是城市文明的标尺。" + BODY
    )
    (a,) = p.articles
    assert (a.title, list(a.authors)) == ("让志愿服务成为城市最温暖的底色", ["周远"])


def test_a_bracketed_line_under_a_title_is_its_subtitle():
    p = page(ISSUE, "全区“两新”党建工作推进会召开", "(陈静怡出席并讲话)", MEETING)
    (a,) = p.articles
    assert a.title == "全区“两新”党建工作推进会召开" and "陈静怡出席并讲话" in a.subtitle


def test_a_running_head_with_a_lettered_page_and_no_weekday():
    p = page("今日衢江 2024年11月6日 A02 要闻", "区政府召开第58次常务会议", MEETING)
    assert p.issue_date == date(2024, 11, 6) and p.articles[0].pretitle is None


def test_briefs_with_their_titles_run_in_by_a_full_width_space():
    p = page(
        ISSUE,
        "简讯",
        "　　区人大常委会开展食品安全执法检查　日前，区人大常委会组织执法检查组深入学校食堂。（记者 方静）",
        "　　衢江举办首届“乡村好声音”歌唱大赛　6月9日晚，首届“乡村好声音”歌唱大赛决赛举行。",
        "　　据《浙江日报》报道　近日，省农业农村厅公布2024年度未来乡村名单，衢江两村入选。",
    )
    titles = [a.title for a in p.articles]
    assert titles[:2] == ["区人大常委会开展食品安全执法检查", "衢江举办首届“乡村好声音”歌唱大赛"]
    assert "据《浙江日报》报道" in squash(p.articles[-1].body)


def test_where_a_story_came_from_is_no_author():
    p = page(ISSUE, "区政府召开第58次常务会议", "本报讯(记者 张明)3月4日," + BODY + "（本报综合）")
    (a,) = p.articles
    assert list(a.authors) == ["张明"]


def test_an_author_note_names_the_writer():
    p = page(
        ISSUE,
        "把民生实事办到群众心坎上",
        "民生实事是庄严承诺。" + BODY,
        "（作者系区委党校教师 周远）",
    )
    (a,) = p.articles
    assert list(a.authors) == ["周远"] and "周远" not in a.body


def test_a_running_foot_set_with_bars_and_a_lettered_page_gives_the_date():
    from feeds import furniture

    found = furniture.classify("今日衢江｜2024年5月15日｜星期三｜A05", False)
    assert found is not None and found.date == date(2024, 5, 15)


def test_one_line_paragraphs_of_about_one_length_are_not_a_hard_wrap():
    """Paragraphs of one line each, about equally long and ending their sentences, and
    titles of about one length, are not hard-wrapped text; text cut every 22 characters is."""
    from feeds.parse import _Wrap

    para = "衢江区“我们的村晚”迎新年展演活动在莲花镇文化礼堂举行，14支村晚队伍轮番登台。"
    titles = ["平安志愿者岁末巡逻护万家", "元旦假期 冰雪乐园人气旺", "红十字博爱送万家走进家庭"]
    lines = [para.replace("衢江区", f"第{n}场") for n in range(8)] + titles * 2
    assert not _Wrap(lines).active
    text = "".join(lines[:8])
    assert _Wrap([text[i : i + 22] for i in range(0, len(text), 22)]).active


def test_a_subheading_over_a_page_break_stays_a_subheading():
    """On an indented page a subheading may stand over a page-break gap; the next one of the
    series is still a subheading, not a title."""
    text = "\n\n".join(
        [
            ISSUE,
            "衢江“共富工坊”让山区群众家门口增收",
            "　　本报衢州6月18日讯（记者 张明）今年以来，我区深入推进“共富工坊”建设。",
            "引进订单 车间搬到村口",
        ]
    )
    text += "\n\n\n\n" + "\n\n".join(
        [
            "　　“共富工坊”由企业提供订单和技术，村民在家门口就业，月收入2000余元。",
            "培育品牌 山货走出山区",
            "　　我区还依托区域公用品牌，让更多山区群众在家门口实现稳定增收。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    heads = [x.text for x in a.paragraphs if x.kind == HEADING]
    assert heads == ["引进订单 车间搬到村口", "培育品牌 山货走出山区"]


def test_a_title_in_print_order_is_kept_when_the_lead_restates_it_otherwise():
    lead = "为切实做好春节前后安全稳定和森林防火工作，区委常委会召开会议进行专题研究部署。"
    title = "区委常委会召开会议 专题研究部署春节前后安全稳定和森林防火工作"
    assert headlines.unscramble(title, lead) == title


def test_text_that_closes_a_quotation_opened_elsewhere_is_a_fragment():
    assert headlines.is_fragment("衢江”城市品牌;要压实责任链条。")
    assert not headlines.is_fragment("“青年衢江”城市品牌越擦越亮。")


def test_a_caption_credit_whose_space_after_wen_a_wrap_ate():
    assert names(["记者 钟可欣 文方晨 摄"]) == ["钟可欣", "方晨"]
    assert names(["通讯员 文静 王芳"]) == ["文静", "王芳"]


def test_a_date_line_in_chinese_numerals_gives_the_issue_date():
    text = "\n\n".join(
        [
            "二〇二四年十一月二十日　星期三　农历十月二十",
            "区红十字会开展应急救护培训",
            "　　本报讯（记者 王芳）昨日，区红十字会走进社区开展应急救护培训。",
        ]
    )
    page = parse_page(text + "\n", "p.txt")
    assert page.issue_date == date(2024, 11, 20)
    (a,) = page.articles
    assert a.pretitle is None and a.date == date(2024, 11, 19)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("二〇二四年十一月二十日", "2024年11月20日"),
        ("二○二五年一月六日 星期一", "2025年1月6日 星期一"),
        ("一九九九年十二月三十一日", "1999年12月31日"),
        ("二〇二三年度", "2023年度"),
        ("十月三十一日", "十月三十一日"),  # no year: left alone
    ],
)
def test_dates_in_chinese_numerals_read_as_figures(line: str, expected: str) -> None:
    from feeds.dates import ascii_digits

    assert ascii_digits(line) == expected


def test_last_night_is_the_day_before_the_issue():
    text = "\n\n".join(
        [ISSUE, "校园艺术节开幕", "　　本报讯（记者 孔维佳）昨晚，区第十届校园艺术节开幕。"]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert a.date == date(2024, 11, 11)


@pytest.mark.parametrize(
    ("line", "people"),
    [
        ("融媒体中心记者 王可欣", ["王可欣"]),
        ("县融媒体中心记者 王可欣 通讯员 李明", ["王可欣", "李明"]),
        ("记者 徐晓帆/文　汪明哲/图", ["徐晓帆", "汪明哲"]),
    ],
)
def test_byline_lines_of_a_media_centre_and_with_slash_tags(line: str, people) -> None:
    text = "\n\n".join(
        [ISSUE, "冬日献热血　青春暖人心", line, "　　近日，一场无偿献血活动在大学城举行。"]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert a.title == "冬日献热血　青春暖人心" and a.pretitle is None
    assert a.authors == tuple(people)
    assert "记者" not in "".join(p.text for p in a.paragraphs)


def test_a_triangle_caption_inside_an_article_loses_its_credit():
    text = "\n\n".join(
        [
            ISSUE,
            "网格织密为民服务网",
            "　　本报讯（记者 林啸）3月5日一早，社区网格员就背上网格包出了门。",
            "▲ 网格员在社区走访独居老人。　本报通讯员　何晓岚　摄",
            "　　下一步，社区将持续推进网格规范化建设。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    body = "".join(p.text for p in a.paragraphs)
    assert "走访独居老人" in body and "何晓岚" not in body and "本报通讯员" not in body
    assert a.authors == ("林啸", "何晓岚")


def test_a_photo_credit_written_tu_wen_after_the_name():
    text = "\n\n".join(
        [
            ISSUE,
            "稻浪翻金　秋收正忙",
            "　　3月5日，千亩水稻进入收割期。　　本报通讯员　蓝晓峰　图/文",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert a.authors == ("蓝晓峰",)
    assert "蓝晓峰" not in "".join(p.text for p in a.paragraphs)


@pytest.mark.parametrize("marker", ["【下转A4版】", "【转第8版】", "〔下转第2版〕"])
def test_jump_markers_in_square_brackets(marker: str) -> None:
    text = "\n\n".join(
        [
            ISSUE,
            "县政府召开常务会议",
            "　　本报讯（记者 郑国梁）3月5日，县政府召开常务会议。会议强调，确保民生实事件件落地、"
            + marker,
            "县领导走进基层讲党课",
            "　　本报讯（记者 林思远）3月4日，县领导走进基层讲党课。",
        ]
    )
    first, second = parse_page(text + "\n", "p.txt").articles
    assert first.title == "县政府召开常务会议" and second.title == "县领导走进基层讲党课"
    assert "转" not in first.paragraphs[-1].text and first.authors == ("郑国梁",)


def test_an_author_note_closes_a_signed_piece():
    """（作者单位：…） under a signed essay ends it: the headline after it is the next
    article's title (its start missing), not one more subheading of the essay."""
    text = "\n\n".join(
        [
            ISSUE,
            "以高质量党建引领基层治理现代化",
            "◎ 徐清远",
            "　　基层是党的执政之基、力量之源。",
            "把牢政治引领这个“方向盘”",
            "　　基层党组织是党在基层全部工作和战斗力的基础。",
            "建强基层组织这个“主阵地”",
            "　　治理好不好，关键在支部。",
            "用好数字赋能这个“加速器”",
            "　　要顺应数字化改革趋势，以数字之力提升基层治理的精准度和群众满意度。",
            "　　（作者单位：中共常山县委党校）",
            "“红色驿站”成了快递小哥的“暖心家”",
            "站点，配备了饮水机、微波炉、充电柜和应急药箱，24小时免费开放。“跑单累了进来"
            "歇歇脚、热个饭，感觉就像回到家一样。”外卖骑手汪海洋说。",
            "　　据了解，天马街道已建成“红色驿站”23个，常态化开展政策宣讲等服务。",
            "　　（天马街道党工委　供稿）",
        ]
    )
    essay, station = parse_page(text + "\n", "p.txt").articles
    assert essay.title == "以高质量党建引领基层治理现代化"
    assert "红色驿站" not in "".join(p.text for p in essay.paragraphs)
    assert "红色驿站" in station.title


def test_a_meeting_and_the_start_of_its_agenda_over_the_rest_is_one_title():
    roles, _ = headlines.assign_roles(
        ["县委常委会召开会议 听取上半年", "督查检查考核工作情况汇报"],
        False,
        "7月15日下午，县委常委会召开会议，听取上半年全县督查检查考核工作情况汇报。",
    )
    assert roles == {"title": "县委常委会召开会议 听取上半年督查检查考核工作情况汇报"}
    # a slogan over a title is still its 引题
    roles, _ = headlines.assign_roles(
        ["深学细悟　笃行实干", "县委理论学习中心组举行专题学习会"], False, ""
    )
    assert roles["pretitle"] == "深学细悟　笃行实干"


def test_a_hard_wrapped_page_ending_in_mid_paragraph_keeps_its_last_line():
    """The page's last line after a full line is the paragraph's end, not a title with no text
    under it; a unit's credit line there still stands alone."""
    text = "\n".join(
        [
            ISSUE,
            "县政府召开专题会议研究合作社运营工作",
            "　　本报讯 记者 钟雨萱　近日，副县长林海峰",
            "主持召开专题会议，听取全县合作社运营情况汇报",
            "，研究破解生态资源转化中的难点堵点问题。",
            "　　会议指出，合作社是推动生态产品价值实现的",
            "重要平台。自去年挂牌运营以来，全县已完成山林",
            "、水域、闲置农房等生态资源摸底确权1.2万余宗",
            "，带动12个村集体经济年增收超过50万元。",
            "　　会议要求，要加快完善资源收储、评估、交易",
            "全链条机制，推动更多“沉睡资源”变成“活资产”；",
        ]
    )
    (a,) = parse_page(text + "\n要强化要素保障，加快推进\n", "p.txt").articles
    assert a.paragraphs[-1].text.endswith("活资产”；要强化要素保障，加快推进")
    (a,) = parse_page(text + "\n区红十字会 供稿\n", "p.txt").articles
    assert "供稿" not in "".join(p.text for p in a.paragraphs)


def test_an_article_set_between_the_two_halves_of_a_column_cut_paragraph():
    """A dump that read a page's columns one after the other: the paragraph cut at the foot
    of a column goes on after the whole next article, with nothing to mark either; the short
    headline line under the cut line is that article's title, and the unindented rest after
    its closing credit goes back to the cut paragraph."""
    text = "\n".join(
        [
            ISSUE,
            "区委常委会召开扩大会议",
            "　　本报讯（记者 郑书航）3月10日，区委常委会召开扩大",
            "会议，传达学习全国两会精神。区委书记主持会议并讲话。",
            "　　会议强调，要紧扣政府工作报告确定的目标任务，结合",
            "“五城”建设，抓紧谋划一批打基础、利长远、增后劲的重",
            "大项目，全力以赴稳投资、强产业、促消费。要坚持以科技",
            "区政府召开第21次常务会议",
            "　　3月11日，区长范清荷主持召开区政府第21次常务会议，",
            "研究部署一季度经济运行等工作。",
            "　　会议听取了1至2月全区经济运行情况汇报。",
            "（记者 潘一禾 通讯员 洪蕾）",
            "创新引领现代化产业体系建设，加快培育新质生产力，推动",
            "特种纸、新材料等主导产业向高端化、智能化、绿色化迈进。",
            "　　会议还研究了其他事项。",
        ]
    )
    first, second = parse_page(text + "\n", "p.txt").articles
    assert second.title == "区政府召开第21次常务会议"
    assert second.authors == ("潘一禾", "洪蕾")
    body = "".join(p.text for p in first.paragraphs)
    assert "要坚持以科技创新引领现代化产业体系建设" in body
    assert body.endswith("会议还研究了其他事项。") and "第21次" not in body


def test_a_title_wrapped_inside_its_quotation_marks():
    text = "\n".join(
        [
            ISSUE,
            "老旧小区加装电梯 从“民",
            "心愿”到“民心梯”",
            "——樟潭街道破解加梯难题见闻",
            "记者 蓝雨桐　通讯员 方笑",
            "　　11月5日上午，樟潭街道锦华小区3幢楼前，这部新加装的电梯正式通过验收。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert squash(a.title) == "老旧小区加装电梯从“民心愿”到“民心梯”"
    assert a.subtitle == "樟潭街道破解加梯难题见闻"


def test_a_subheading_cut_inside_its_quotation_marks_by_a_page_break():
    text = "\n".join(
        [
            ISSUE,
            "“15分钟便民生活圈”来了",
            "",
            "　　本报讯(记者 林珂)3月25日，走进樟潭街道沙湾社区，便民服务设施一应俱全。",
            "",
            "补齐设施 服务“零距离”",
            "",
            "　　我区坚持“缺什么补什么”，新建改建社区菜市场6个、社区食堂11家。",
            "",
            "数字赋能 让居民生活更“智",
            "",
            "",
            "",
            "慧”更便捷",
            "",
            "　　依托“衢江通”APP，居民可在线查询周边便民服务网点。",
            "",
            "多方共建 运营“可持续”",
            "",
            "　　下一步，我区将力争到2026年底实现城区便民生活圈全覆盖。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    headings = [squash(p.text) for p in a.paragraphs if p.kind == HEADING]
    assert headings == [
        "补齐设施服务“零距离”",
        "数字赋能让居民生活更“智慧”更便捷",
        "多方共建运营“可持续”",
    ]


def test_a_title_line_ending_on_an_adverb_goes_on_below():
    roles, _ = headlines.assign_roles(
        ["寒潮来袭 温暖同行", "衢江300余名志愿者连夜", "上门送“暖冬包”"], False, ""
    )
    assert roles["title"] == "衢江300余名志愿者连夜上门送“暖冬包”"
    assert roles["pretitle"] == "寒潮来袭 温暖同行"


def test_pointers_to_another_page_and_photo_credits_of_their_own():
    text = "\n\n".join(
        [
            ISSUE,
            "钱江源头茶飘香",
            "4月16日，采茶工在茶园采摘春茶。（相关报道见第4版）",
            "本报记者　郑晓舟　摄",
            "一句话新闻",
            "●4月15日，县人大常委会召开第十九次会议。",
            "●日前，池淮镇共富工坊正式投运。",
            "电力检修保供电",
            "10月4日，供电公司工作人员对10千伏线路进行带电检修。",
            "祝海鹏　摄",
            "龙游发糕飘香",
            "10月2日，师傅们正忙着蒸制发糕。",
            "图片由龙游县志愿者协会提供",
        ]
    )
    tea, box, power, cake = parse_page(text + "\n", "p.txt").articles
    assert tea.paragraphs[-1].text.endswith("采摘春茶。") and tea.authors == ("郑晓舟",)
    assert box.title == "一句话新闻" and len(box.paragraphs) == 2
    assert power.authors == ("祝海鹏",) and power.pretitle is None
    assert cake.pretitle is None and "提供" not in "".join(p.text for p in cake.paragraphs)


def test_a_continued_article_reprints_its_title_alone():
    text = "\n".join(
        [
            ISSUE,
            "县委常委会专题研究生态环境保护",
            "督察反馈问题整改工作",
            "（紧接1版）举一反三开展同类问题排查，严防问题反弹回潮。",
            "　　会议还研究了其他事项。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert a.continued and a.pretitle is None
    assert a.title == "县委常委会专题研究生态环境保护督察反馈问题整改工作"


def test_a_web_page_with_its_fields_buttons_and_pagination():
    """Copied from a news site: where the page sits, its fields in any order, font buttons,
    a second page that reprints the title and fields, hits, editors, 原标题."""
    text = "\n\n".join(
        [
            "当前位置：首页 > 区县新闻 > 常山",
            "常山县委常委会召开会议 部署岁末年初重点工作",
            "发布时间：2025-01-03 07:58:42　来源：今日常山　作者：徐晨曦",
            "【字体：大 中 小】",
            "　　本报讯（记者　徐晨曦）1月2日，县委常委会召开会议，研究部署岁末年初各项工作。",
            "　　会议强调，要推动重大项目早开工、",
            "共2页：[1] 2 [下一页]",
            "常山县委常委会召开会议 部署岁末年初重点工作",
            "发布时间：2025-01-03 07:58:42　来源：今日常山　作者：徐晨曦",
            "早投产，确保实现“开门红”。",
            "共2页：[上一页] 1 [2]",
            "编辑：郑可欣　　审核：陈浩",
            "首页 > 新闻中心 > 衢州新闻",
            "“红马甲”点亮新年第一天",
            "衢州日报　2025年01月03日　来源：衢州日报　作者：记者 方雅 通讯员 徐航　浏览次数：1263",
            "原标题：元旦假期，这群“红马甲”忙碌在城市各个角落",
            "　　1月1日，常山县天马街道文峰社区的志愿者们早早来到公交站台。",
            "阅读 2356",
            "新年新气象，从“马上就办”开始",
            "来源：衢州日报　作者：本报评论员　日期：2025-01-03",
            "　　新年伊始，各地各部门纷纷吹响奋进的“集结号”。",
        ]
    )
    page = parse_page(text + "\n", "p.txt")
    meeting, volunteers, comment = page.articles
    assert page.issue_date == date(2025, 1, 3)
    body = "".join(p.text for p in meeting.paragraphs)
    assert "早开工、早投产" in body and "页" not in body and meeting.authors == ("徐晨曦",)
    assert volunteers.title == "“红马甲”点亮新年第一天" and volunteers.pretitle is None
    assert volunteers.authors == ("方雅", "徐航")
    assert "原标题" not in "".join(p.text for p in volunteers.paragraphs)
    assert comment.title == "新年新气象，从“马上就办”开始" and comment.authors == ()
    assert comment.paragraphs[0].text.startswith("新年伊始")


def test_a_list_introduced_by_a_colon_stays_in_its_article():
    text = "\n\n".join(
        [
            ISSUE,
            "县文明实践中心发布六大志愿服务品牌项目",
            "　　本报讯（记者 汪梦琪）3月4日上午，六大志愿服务品牌项目集中亮相。",
            "　　此次发布的六大品牌项目分别是：",
            "　　①“钱江源护水”生态志愿服务项目",
            "　　②“银龄跟党走”助老志愿服务项目",
            "　　③“暖蜂驿站”新就业群体关爱项目",
            "　　据了解，这些项目由各乡镇和县级部门申报，经专家评审产生。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    body = [p.text for p in a.paragraphs]
    assert body[1] == "此次发布的六大品牌项目分别是：" and body[-1].startswith("据了解")
    assert [t[0] for t in body[2:5]] == ["①", "②", "③"] and a.pretitle is None


@pytest.mark.parametrize(
    ("label", "items"),
    [
        (
            "志愿快讯",
            [
                "【龙洲街道服务队为独居老人送冬衣】12月1日，服务队走访辖区32户独居老人。（龙洲街道）",
                "【县人民医院开设志愿导医服务岗】近日，县人民医院在门诊大厅开设服务岗。（通讯员　郑晓丽）",
            ],
        ),
        (
            "短　讯",
            [
                "县红十字会为环卫工人送去暖冬包：12月30日，县红十字会开展寒冬送温暖活动。",
                "县图书馆推出寒假阅读护照：近日，县图书馆面向全县中小学生推出阅读护照。",
            ],
        ),
    ],
)
def test_briefs_titled_in_brackets_or_by_a_colon_in_a_box(label: str, items) -> None:
    text = "\n\n".join([ISSUE, label, *items])
    page = parse_page(text + "\n", "p.txt")
    assert [a.title for a in page.articles] == [
        re.split("[】：]", i)[0].lstrip("【") for i in items
    ]
    assert all(a.paragraphs[0].text[0] in "1近" for a in page.articles)


def test_a_colon_after_a_title_outside_a_box_is_no_brief():
    from feeds.headlines import run_in

    assert run_in("区委书记王建国在调研时强调：要把工作做实做细，确保取得实效。") is None


def test_a_special_pages_banner_and_its_dash_line_over_the_first_title():
    text = "\n\n".join(
        [
            "第05版：党建专刊",
            "红色根脉强基　奋进青年衢江",
            "——庆祝中国共产党成立103周年",
            "区委组织部部署开展“红色根脉强基”提升行动",
            "本报讯（通讯员 章欣悦）6月27日，区委组织部召开推进会。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert a.title == "区委组织部部署开展“红色根脉强基”提升行动" and a.subtitle is None


def test_a_notice_with_its_salutation_headings_and_table_is_dropped_whole():
    text = "\n\n".join(
        [
            ISSUE,
            "关于做好2025年度城乡居民基本医疗保险参保缴费工作的通知",
            "各参保居民：",
            "根据有关规定，现将2025年度参保缴费有关事项通知如下：",
            "一、缴费时间",
            "集中缴费期为即日起至2025年2月28日。",
            "二、缴费标准",
            "个人缴费标准如下：",
            "人员类别　　　　　　个人缴费（元/人·年）",
            "成年居民　　　　　　　　420",
            "三、缴费渠道",
            "参保人员可通过“浙里办”等渠道缴费。",
            "特此通知。",
            "常山县医疗保障局　　国家税务总局常山县税务局",
            "2025年1月6日",
        ]
    )
    page = parse_page(text + "\n", "p.txt")
    assert not page.articles
    assert {d.reason for d in page.dropped} >= {"notice"}
    assert not [d for d in page.dropped if d.reason == "unassigned"]


def test_a_brief_signed_by_a_party_committee_and_a_writer():
    text = "\n\n".join(
        [
            ISSUE,
            "高家镇为农村党员开设“田间党课”",
            "日前，高家镇党委组织党员技术员走进柑橘基地，为40余名农村党员讲解实用技术。",
            "（高家镇党委　郑晓雯）",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert a.authors == ("郑晓雯",)


def test_a_hard_wrapped_page_ends_with_an_article_whose_start_is_lost():
    """Under a paragraph that ends a sentence, a title over text from mid-word (员,多年来…)
    is the last article, its start on another page: not more lines of the paragraph."""
    text = "\n".join(
        [
            ISSUE,
            "衢江12家企业获评省级专精特新中小企业",
            "　　本报讯(记者 潘可馨)日前,省经信厅公布2024",
            "年度浙江省专精特新中小企业名单,我区12家企业",
            "榜上有名,入选数量创历年新高。",
            "　　近年来,我区持续实施中小企业“育苗壮干”梯",
            "度培育行动,建立专精特新企业培育库,在研发补助、",
            "融资对接、人才引进等方面给予精准支持。截至目",
            "前,全区累计培育省级以上专精特新企业61家。",
            "衢江一救援队员入选“浙江好人榜”",
            "员,多年来坚持参与水域救援、山地搜救和应急保",
            "障任务,先后获评衢州市优秀志愿者等荣誉。",
        ]
    )
    first, second = parse_page(text + "\n", "p.txt").articles
    assert "好人榜" not in "".join(p.text for p in first.paragraphs)
    assert second.title == "衢江一救援队员入选“浙江好人榜”" and second.continued


def test_an_indented_paragraph_after_a_colon_is_a_paragraph_of_its_own():
    text = "\n".join(
        [
            ISSUE,
            "区政府召开安全生产工作会议",
            "　　本报讯（记者 王芳）3月5日，区政府召开安全生",
            "产工作会议，区长主持会议并讲话，各乡镇和部门",
            "主要负责人参加。会议要求，今年重点抓好三方面：",
            "　　一是紧盯重点领域。要聚焦道路交通、燃气、消",
            "防等领域，开展拉网式隐患排查整治，坚决遏制事",
            "故发生。二是压实各方责任，层层传导压力。",
            "　　三是强化应急处置。要完善预案，加强演练，确",
            "保一旦发生险情能够第一时间处置到位。",
        ]
    )
    (a,) = parse_page(text + "\n", "p.txt").articles
    assert [p.text[:4] for p in a.paragraphs] == ["3月5日", "一是紧盯", "三是强化"]


def test_a_town_closing_a_brief_that_names_no_one_is_its_credit():
    text = "\n\n".join(
        [
            ISSUE,
            "杜泽镇“红马甲”志愿服务队获评全市优秀志愿服务组织",
            "日前，杜泽镇“红马甲”志愿服务队获评全市优秀志愿服务组织，该队常年开展助老服务。",
            "杜泽镇",
            "全区宣传思想文化工作会议召开",
            "本报讯（记者 王芳）3月5日，全区宣传思想文化工作会议召开。",
        ]
    )
    brief, meeting = parse_page(text + "\n", "p.txt").articles
    assert brief.credits == ("杜泽镇",)
    assert meeting.pretitle is None and meeting.title == "全区宣传思想文化工作会议召开"


def test_parts_set_apart_over_a_continued_article_are_not_joined_into_one_title():
    """Only a plain wrap is joined: lines with parts set apart (1 1) would be reordered as a
    scrambled title, text the page never printed (found by the property test)."""
    (a,) = parse_page("1上2\n1\t1\n,\n11\n上2", "x.txt").articles
    assert squash(a.title) == "11"
