"""feeds.topics: topic rules as data, the classifier (primary topic, matched topics, tags)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from feeds import segment
from feeds.errors import ConfigError
from feeds.model import CREDIT, Article, Paragraph, Topic
from feeds.topics import (
    TopicClassifier,
    count_keywords,
    load_classifier,
    load_rules,
    load_topics,
)
from tests.corpus import CORPUS, TRUTHS, truth

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TOML = ROOT / "feeds" / "topics.toml"


@pytest.fixture(scope="module")
def classify() -> TopicClassifier:
    return load_classifier()


def article(title: str, *paragraphs: str, **fields: object) -> Article:
    return Article(title=title, paragraphs=tuple(Paragraph(p) for p in paragraphs), **fields)


# Hand-cut excerpts of the real pages (title + a few body paragraphs), with the accepted topics.
EXCERPTS = {
    "seed-1-standing-committee": (
        article(
            "习近平总书记重要讲话重要文章精神 区委常委会召开会议 传达学习近期",
            "2月19日,区委常委会召开会议,传达学习近期习近平总书记重要讲话和重要文章精神。"
            "区委书记王慧杰主持会议并讲话。",
            "会议指出,要深入学习贯彻习近平总书记在中共中央政治局会议的重要讲话精神,持续抓好"
            "党的二十大精神部署在衢江区的贯彻落实。全区各级党组织要把巩固和拓展主题教育成果作为"
            "重大政治任务。",
            "会议指出,要毫不放松抓好安全稳定,坚决防止在重要节点发生安全生产事故。",
            column="贯彻二十大精神 踔厉奋进新征程",
        ),
        {"party"},
    ),
    "seed-2-executive-meeting": (
        article(
            "区政府召开第50次常务会",
            "2月19日,区委副书记、区长贵丽青主持召开区政府第50次常务会。",
            "会议听取关于2023年度衢江区政府特别将候选名单的情况汇报,研究给予“五城”建设重点工作中"
            "表现突出个人行政奖励的事项。会议原则通过以上事项。",
            "会议指出,2023年度全区各项主要经济指标位居省市前列,连续四个季度获得全省投资赛马激励。",
        ),
        {"government"},
    ),
    "seed-3-conference": (
        article(
            "衢江区“新春第一会”召开 持续深化“五城”建设 奋力打造“青年衢江” 加快推动产城人融合发展",
            "2月20日,衢江区持续深化“五城”建设奋力打造“青年衢江”加快推动产城人融合发展大会召开。"
            "区委书记王慧杰讲话,区委副书记、区长贵丽青主持会议。",
            "王慧杰强调,要聚焦重点、全力攻坚。同时,深入实施营商环境优化提升“一号改革工程”,"
            "推进政务服务增值化改革。",
            subtitle="王慧杰讲话 贵丽青主持 廖利军毛卓战何晓峰等参加",
        ),
        {"party", "government"},
    ),
    "seed-4-publicity-conference": (
        article(
            "全区宣传思想文化工作会议暨2023年度意识形态工作述职评议会召开",
            "2月21日,全区宣传思想文化工作会议暨2023年度意识形态工作述职评议会召开。区委书记"
            "王慧杰讲话,区委副书记、区长贵丽青主持会议。8家单位主要负责人作意识形态工作述职。",
            "王慧杰强调,要坚决守牢意识形态工作主阵地,全力落实意识形态工作责任制。",
        ),
        {"party"},
    ),
    "seed-5-party-groups": (
        article(
            "区委常委会召开会议 听取五个党组工作汇报",
            "2月19日,衢江区委常委会召开会议,听取区人大常委会党组、区政府党组、区政协党组、"
            "区法院党组、区检察院党组2023年工作情况的汇报。",
            "区政府党组要把加快发展作为第一要务,牢牢把握稳中求进总基调。",
        ),
        {"party"},
    ),
    "seed-6-volunteer-beginning-lost": (
        article(
            "衢江一志愿者获全省通报表扬",
            "星、浙江省慈善总会“战疫英雄”优秀个人奖、浙江省突出贡献红十字个人会员等荣誉。",
            "多年来,他志愿参加各类救援活动,执行水域、城市、山地救援行动达100余次。",
            "区红十字会",
            continued=True,
            credits=("区红十字会",),
        ),
        {"volunteers"},
    ),
    "dev-1-standing-committee-on-economy": (
        article(
            "一季度“开门红”工作 区委常委会召开会议 研究部署",
            "3月4日,区委常委会召开会议,研究部署一季度“开门红”工作。区委书记邵建明主持会议并讲话。",
            "会议强调,要聚焦项目抓投资,加快推进在建项目施工进度,推动签约项目早落地、早开工、"
            "早见效。要守牢底线抓安全,扎实开展安全生产隐患大排查大整治。",
        ),
        {"party"},
    ),
    "dev-2-discipline-plenary": (
        article(
            "区纪委十届四次全体会议召开",
            "2月27日,中共衢州市衢江区第十届纪律检查委员会第四次全体会议召开。区委书记邵建明出席"
            "会议并讲话。",
            "邵建明要求,各级党组织要扛牢全面从严治党主体责任。",
        ),
        {"party"},
    ),
    "dev-2-safety-conference": (
        article(
            "全区安全生产工作会议召开",
            "2月28日,全区安全生产工作会议召开,总结2023年度全区安全生产工作。区委副书记、区长"
            "林晓燕出席会议并讲话。",
            "林晓燕要求,要聚焦道路交通、建筑施工、危险化学品、消防、燃气等重点行业领域。",
        ),
        {"government"},
    ),
    "dev-2-volleyball": (
        article(
            "衢江区“迎新春”全民健身气排球联赛落幕",
            "2月25日,为期三天的2024年衢江区“迎新春”全民健身气排球联赛在区全民健身中心落幕。",
            "本次联赛共吸引来自全区各乡镇(街道办事处)、区级机关和企业的32支队伍、400余名运动员参赛。",
        ),
        {"other"},
    ),
    "dev-3-red-cross-training": (
        article(
            "红十字应急救护培训走进企业车间",
            "昨日,区红十字会走进衢江经济开发区一家新材料企业,为60余名一线职工开展应急救护培训。",
        ),
        {"volunteers"},
    ),
    "dev-3-photo-caption": (
        article(
            "“雷锋驿站”里的暖心服务",
            "3月5日,在樟潭街道“雷锋驿站”内,志愿者正在为环卫工人和外卖小哥免费测量血压、提供热水。",
        ),
        {"volunteers"},
    ),
    "dev-4-theory-study": (
        article(
            "区委理论学习中心组举行专题学习会",
            "为深入学习贯彻党的二十届三中全会精神,区委理论学习中心组举行专题学习会。",
            pretitle="学习贯彻党的二十届三中全会精神",
        ),
        {"party"},
    ),
    "dev-4-projects": (
        article(
            "四季度重大项目攻坚“比拼赛”全面打响",
            "今年以来,我区共谋划实施省市县重点项目136个,总投资682亿元。1至9月,全区完成有效投资"
            "178.5亿元。区政府出台四季度项目攻坚行动方案。",
        ),
        {"government"},
    ),
    "dev-4-science-festival": (
        article(
            "衢江区第三届中小学生科技节开幕",
            "10月11日,衢江区第三届中小学生科技节在区实验学校开幕。来自全区38所中小学的1200余名"
            "师生参加开幕式。",
        ),
        {"other"},
    ),
    "dev-5-intangible-heritage": (
        article(
            "衢江两地入选省级非遗主题小镇和民俗文化村",
            "5月13日,省文化和旅游厅公布2024年度浙江省非遗主题小镇和民俗文化村名单。",
        ),
        {"other"},
    ),
    "dev-5-discipline-study": (
        article(
            "以学促知 以知促行",
            "5月14日,区委理论学习中心组举行党纪学习教育专题学习会。",
            subtitle="——区委理论学习中心组举行党纪学习教育专题学习会",
        ),
        {"party"},
    ),
    "dev-5-workshops": (
        article(
            "衢江“共富工坊”开到村民家门口",
            "今年以来,我区以“共富工坊”建设为抓手,推动企业订单、生产线、就业岗位向乡村延伸。",
            pretitle="深化“千万工程” 建设和美乡村——",
        ),
        {"other", "government"},
    ),
    "gas-cylinder-safety": (
        article(
            "全区瓶装燃气安全专项整治见成效",
            "记者从区燃气安全专项整治工作专班获悉，我区对餐饮场所等瓶装燃气用户开展排查，"
            "发现并整改各类隐患1320处。区住建局将建立燃气安全常态化巡查机制。",
        ),
        {"government"},
    ),
    "livelihood-project": (
        article(
            "无障碍改造让“回家的路”更顺畅",
            "这是我区今年的民生实事项目之一，全区已完成120户困难残疾人家庭无障碍改造。",
        ),
        {"government"},
    ),
    "dev-5-silver-volunteers": (
        article(
            "峡川“银龄”志愿者守护乡村“一老一小”",
            "这些志愿者都是峡川镇“银龄”志愿服务队的成员。服务队常态化开展助老送餐、健康义诊等"
            "志愿服务。",
        ),
        {"volunteers"},
    ),
    "party-members-errand-service": (
        article(
            "全旺镇党员“红色代办”跑出服务加速度",
            "今年以来，全旺镇以党建引领基层治理，组织党员干部组成“红色代办”小分队，为村民代办"
            "社保、医保等事项，累计代办各类事项1200余件，让党员在服务群众中亮身份、作表率。",
        ),
        {"party"},
    ),
    "volunteer-river-patrol": (
        article(
            "衢江“防溺水”志愿巡河队守护群众平安",
            "暑期以来，巡河队员每天傍晚沿江巡查，劝导群众远离危险水域，累计劝离游泳群众300余人次。",
        ),
        {"volunteers"},
    ),
    "party-plenary-on-the-economy": (
        article(
            "中共衢江区委十五届九次全体(扩大)会议召开",
            "要坚持以改革破难题，深化营商环境优化提升，推进政务服务增值化改革。全会强调，要扎实办好"
            "民生实事，持续推进教育、医疗、养老等公共服务优质共享。",
            "全会号召，全区各级党组织和广大党员干部要凝心聚力、真抓实干。",
        ),
        {"party"},
    ),
    "promotion-meeting-on-industry": (
        article(
            "全区“5G+智能制造”现场推进会召开",
            "11月19日上午，全区“5G+智能制造”现场推进会召开。区委书记邵立华讲话，区委副书记、区长"
            "何婉清主持会议。与会人员实地观摩5G全连接工厂、智能化生产线建设情况。",
            "邵立华指出，要把“5G+智能制造”作为推动工业经济高质量发展的关键抓手。",
        ),
        {"government", "party"},
    ),
    "free-night-school-at-the-cultural-centre": (
        article(
            "区文化馆公益夜校秋季班开课",
            "11月4日,区文化馆公益夜校秋季班开课,首批开设书法、国画、瑜伽、短视频制作等12门课程,"
            "吸引了400余名市民报名。课程全部免费,每周一至周五晚上授课。",
        ),
        {"other"},
    ),
    "photo-news-volunteers-with-the-elderly": (
        article(
            "浓浓月饼香 暖暖敬老情",
            "9月16日，在区社会福利中心，志愿者和老人们一起揉面、包馅、压模，制作传统月饼。",
        ),
        {"volunteers"},
    ),
    "photo-news-river-keepers": (
        article(
            "周末护河忙",
            "4月6日,杜泽镇二十余名“河小二”利用周末义务巡河,沿河道清捡塑料瓶、泡沫等垃圾三百余公斤。",
        ),
        {"volunteers"},
    ),
    "photo-news-party-members-winter-training": (
        article(
            "冬训课堂“充电”忙",
            "1月2日，峡川镇农村党员冬训班在镇文化礼堂开班，200余名党员围坐一堂，听形势政策解读。",
        ),
        {"party"},
    ),
    "brief-district-head-visits-firms": (
        article(
            "方慧琳走访调研企业",
            "4月22日，区委副书记、区长方慧琳到衢江经济开发区走访调研企业，详细了解企业订单、用工"
            "和技改投入等情况。她要求，各相关部门要当好服务企业的“店小二”。",
        ),
        {"government"},
    ),
    "united-front-work-selling-farm-produce": (
        article(
            "区委统战部组织新阶层人士助力山区农产品销售",
            "11月19日，区委统战部组织网络主播、律师等20余名新的社会阶层人士走进湖南镇，开展"
            "“同心助农”活动，现场直播推介特色农产品，销售农产品4.3万元。",
            "近年来，区委统战部深入实施“同心共富”工程，常态化开展助农增收、电商法律服务等活动。",
        ),
        {"party"},
    ),
    "parents-guarding-the-way-to-school": (
        article(
            "衢江“家长护学岗”守护孩子上学路",
            "目前全区已有56所中小学、幼儿园设立“家长护学岗”，累计参与家长志愿者1.8万人次，学校"
            "周边上下学时段交通拥堵明显改善。衢江实验小学学生家长方丽娟说。",
        ),
        {"volunteers"},
    ),
    "party-committee-retreat-on-the-years-work": (
        article(
            "县委召开经济形势分析会 研究部署下半年重点工作",
            "7月12日，县委召开经济形势分析会，分析上半年经济运行情况。会议要求，要抓项目、扩投资，"
            "加快重大项目建设，优化营商环境，办好民生实事，守牢安全生产底线。",
            "县领导分别就招商引资、城市更新、矛盾纠纷化解等工作作了发言。",
        ),
        {"party"},
    ),
    "one-stop-service-reform": (
        article(
            "办证“跑一趟”变“不用跑”",
            "如今，在县行政服务中心综合窗口，企业开办、不动产登记等事项可以一窗受理、同步办理。"
            "今年以来，县里深化“最多跑一次”集成改革，已实现28个高频事项网上办、掌上办。",
        ),
        {"government"},
    ),
}


@pytest.mark.parametrize("case", EXCERPTS, ids=str)
def test_excerpt_primary_topic(classify, case):
    art, accepted = EXCERPTS[case]
    primary, topics, tags = classify(art)
    assert primary in accepted, classify.scores(art)
    assert topics[0] == primary
    assert len(set(topics)) == len(topics)
    assert 0 < len(tags) <= 5


def test_default_topics_are_the_four_feeds():
    topics = load_topics()
    assert [(t.slug, t.title) for t in topics] == [
        ("party", "党委会议"),
        ("government", "政府工作"),
        ("volunteers", "志愿服务"),
        ("other", "其他"),
    ]
    assert all(t.description and t.keywords and t.threshold > 0 for t in topics)


def test_explicit_path_gives_the_same_rules_as_the_default():
    assert load_rules(DEFAULT_TOML) == load_rules() == load_rules(str(DEFAULT_TOML))
    rules = load_rules()
    assert (rules.title_weight, rules.tags, rules.fallback) == (3.0, 5, "other")


def test_classifier_lists_the_topics_for_the_web_layer(classify):
    assert [t.slug for t in classify.topics] == ["party", "government", "volunteers", "other"]
    assert classify.titles() == {
        "party": "党委会议",
        "government": "政府工作",
        "volunteers": "志愿服务",
        "other": "其他",
    }


def test_no_match_falls_back_to_other(classify):
    primary, topics, tags = classify(article("今日天气晴朗", "气温回升,阳光明媚。"))
    assert (primary, topics) == ("other", ("other",))
    assert "气温" in tags


def test_empty_article(classify):
    assert classify(Article(title="")) == ("other", ("other",), ())


def test_secondary_topics_follow_the_primary(classify):
    art = article(
        "区委常委会召开会议 研究部署志愿服务工作",
        "会议听取全区志愿服务工作汇报。会议强调,要关心关爱志愿者。",
    )
    primary, topics, _ = classify(art)
    scores = classify.scores(art)
    assert primary == "party"
    assert topics == ("party", "volunteers")
    assert scores["party"] > scores["volunteers"] >= 5.0


def test_tags_never_contain_stop_words_and_are_stable(classify):
    stop = segment.stopwords()
    for art, _ in EXCERPTS.values():
        tags = classify(art)[2]
        assert not set(tags) & stop, tags
        assert all(segment.is_tag_word(tag) for tag in tags)
        assert classify(art)[2] == tags
    assert (
        load_classifier()(EXCERPTS["seed-2-executive-meeting"][0])[2]
        == classify(EXCERPTS["seed-2-executive-meeting"][0])[2]
    )


def test_seed_tags_are_meaningful(classify):
    tags = {name: classify(art)[2] for name, (art, _) in EXCERPTS.items()}
    assert "常务会" in tags["seed-2-executive-meeting"]
    assert {"五城", "青年衢江"} <= set(tags["seed-3-conference"])
    assert "志愿者" in tags["seed-6-volunteer-beginning-lost"]
    assert "意识形态" in tags["seed-4-publicity-conference"]


def test_subtitle_names_do_not_crowd_out_tags(classify):
    """A subtitle listing who spoke counts for topics but is not weighted up for tags."""
    art = EXCERPTS["seed-3-conference"][0]
    tags = classify(art)[2]
    assert not set(tags) & {"毛卓战", "何晓峰", "廖利军"}


def test_credit_paragraphs_and_credits_count_as_body(classify):
    bare = article("衢江一好人获表扬", "他多次参加救援活动。")
    credited = article(
        "衢江一好人获表扬",
        "他多次参加救援活动。",
        "区红十字会",
        credits=("区红十字会",),
    )
    assert classify.scores(credited)["volunteers"] > classify.scores(bare)["volunteers"]
    with_credit_paragraph = Article(
        title="衢江一好人获表扬",
        paragraphs=(Paragraph("他多次参加救援活动。"), Paragraph("区红十字会", kind=CREDIT)),
    )
    assert classify.scores(with_credit_paragraph) == classify.scores(credited)


# ----- the classifier as pure code: any tokenizer, any ranker ---------------------------------


def _split(text: str) -> list[str]:
    return text.split()


def _first(tf, k):
    return list(tf)[:k]


TWO = (
    Topic("a", "甲", keywords={"x": 1.0}, threshold=1.0),
    Topic("b", "乙", keywords={"y": 1.0}, threshold=1.0),
    Topic("other", "其他"),
)


def test_title_counts_more_than_body():
    art = article("x", "y y")  # one x in the title, two y in the body
    assert TopicClassifier(TWO, _split, _first, title_weight=3.0)(art)[:2] == ("a", ("a", "b"))
    assert TopicClassifier(TWO, _split, _first, title_weight=0.5)(art)[:2] == ("b", ("b",))


def test_repeats_count_less_than_the_first_mention():
    clf = TopicClassifier(TWO, _split, _first)
    once, four = clf.scores(article("", "x")), clf.scores(article("", "x x x x"))
    assert once["a"] == 1.0
    assert 2.0 < four["a"] < 4.0


def test_threshold_and_ties():
    clf = TopicClassifier(TWO, _split, _first)
    assert clf(article("", "z"))[:2] == ("other", ("other",))
    assert clf(article("", "y x"))[:2] == ("a", ("a", "b"))  # tie: file order
    high = (Topic("a", "甲", keywords={"x": 1.0}, threshold=2.0), TWO[2])
    assert TopicClassifier(high, _split, _first)(article("", "x"))[0] == "other"


def test_a_decisive_keyword_in_the_heading_decides_the_primary_topic():
    meeting = (
        Topic("a", "甲", keywords={"holder": 8.0, "x": 1.0}, threshold=1.0),
        Topic("b", "乙", keywords={"y": 6.0}, threshold=1.0),
        Topic("other", "其他"),
    )
    # the meeting's holder in the title, its subject (y) all over it
    art = article("holder y", "y y y y y")
    assert TopicClassifier(meeting, _split, _first)(art)[:2] == ("b", ("b", "a"))
    decided = TopicClassifier(meeting, _split, _first, decisive=8.0)
    assert decided(art)[:2] == ("a", ("a", "b"))
    assert decided(article("holder y", subtitle="y"))[0] == "a"
    # in the body only, the holder decides nothing
    assert decided(article("y", "holder y y y"))[0] == "b"
    # the package's rules: a Party committee meeting on safety is a Party meeting
    title = "区委常委会召开会议 专题研究安全生产和防汛备汛工作"
    body = "会议强调,要深入推进安全生产治本攻坚三年行动,抓好防汛防台、地质灾害防治和隐患排查整治。"
    assert load_classifier()(article(title, body, body))[0] == "party"


def test_tags_use_the_ranker_with_title_weight_and_k():
    seen = {}

    def ranker(tf, k):
        seen.update(tf=dict(tf), k=k)
        return ["t1", "t2"]

    clf = TopicClassifier(TWO, _split, ranker, title_weight=2.0, tags=7)
    assert clf(article("x y", "y z", subtitle="w"))[2] == ("t1", "t2")
    assert seen == {"tf": {"x": 2.0, "y": 3.0, "w": 1.0, "z": 1.0}, "k": 7}


def test_unknown_fallback_is_refused():
    with pytest.raises(ConfigError):
        TopicClassifier(TWO, _split, _first, fallback="misc")


def test_keywords_match_runs_of_whole_tokens_longest_first():
    keywords = {"区纪委": 1, "纪委": 1, "常务会议": 1, "党组": 1}
    tokens = ["区", "纪委", "召开", "纪委", "全会", "常务", "会议", "党组织", "党组"]
    assert count_keywords(tokens, keywords) == {"区纪委": 1, "纪委": 1, "常务会议": 1, "党组": 1}
    assert count_keywords([], keywords) == {}


def test_topics_module_does_not_import_jieba_until_the_first_article():
    code = (
        "import sys\n"
        "from feeds.model import Article\n"
        "from feeds.topics import load_classifier\n"
        "classify = load_classifier()\n"
        "assert 'jieba' not in sys.modules\n"
        "print(classify(Article(title='区政府召开常务会议'))[0])\n"
        "assert 'jieba' in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "government"


# ----- the rules file -------------------------------------------------------------------------


def test_user_terms_that_contain_a_keyword_are_keywords():
    """jieba keeps user terms whole, so a keyword inside one (雷锋 in 雷锋驿站) would never match
    on its own: such terms must be keywords too."""
    keywords = {w for t in load_topics() for w in t.keywords}
    hidden = {
        term: [k for k in keywords if k in term and k != term]
        for term, _, _ in segment.user_words()
        if term not in keywords
    }
    assert not {term: inside for term, inside in hidden.items() if inside}


def test_adding_a_topic_is_editing_data(tmp_path):
    path = tmp_path / "topics.toml"
    extra = '\n[[topic]]\nslug = "health"\ntitle = "健康"\nthreshold = 4\n'
    extra += '[topic.keywords]\n"医院" = 3\n"义诊" = 3\n"健康" = 2\n'
    path.write_text(DEFAULT_TOML.read_text(encoding="utf-8") + extra, encoding="utf-8")
    clf = load_classifier(path)
    assert [t.slug for t in clf.topics][-1] == "health"
    art = article(
        "区人民医院举办健康讲座", "区人民医院专家走进社区,为居民讲解慢性病防治等健康知识。"
    )
    assert clf(art)[0] == "health"
    assert load_classifier()(art)[0] != "health"


BAD_FILES = {
    "not toml": ("[[topic]\nslug =", "not valid TOML"),
    "no topics": ("[settings]\ntitle_weight = 3\n", "no topics"),
    "chinese slug": ('[[topic]]\nslug = "党委"\ntitle = "党委"\n', "slug must be"),
    "reserved slug": ('[[topic]]\nslug = "all"\ntitle = "全部"\n', "reserved"),
    "no title": ('[[topic]]\nslug = "party"\n', "title must be"),
    "bad weight": (
        '[[topic]]\nslug = "party"\ntitle = "党"\n[topic.keywords]\n"党组" = "high"\n',
        "keyword '党组' must be a number",
    ),
    "spaced keyword": (
        '[[topic]]\nslug = "party"\ntitle = "党"\n[topic.keywords]\n"党 组" = 1\n',
        "without spaces",
    ),
    "negative threshold": (
        '[[topic]]\nslug = "party"\ntitle = "党"\nthreshold = -1\n',
        "threshold must be >= 0",
    ),
    "typo": ('[[topic]]\nslug = "party"\ntitle = "党"\nthreshhold = 3\n', "unknown key"),
    "duplicate": (
        '[[topic]]\nslug = "other"\ntitle = "甲"\n[[topic]]\nslug = "other"\ntitle = "乙"\n',
        "duplicate topic slug",
    ),
    "bad fallback": (
        '[settings]\nfallback = "misc"\n[[topic]]\nslug = "party"\ntitle = "党"\n',
        "fallback 'misc' is not a topic",
    ),
    "bad decisive": (
        '[settings]\ndecisive = "high"\n[[topic]]\nslug = "other"\ntitle = "其他"\n',
        "settings.decisive must be a number",
    ),
    "bad tags": (
        '[settings]\ntags = 2.5\n[[topic]]\nslug = "other"\ntitle = "其他"\n',
        "tags must be a whole number",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=str)
def test_bad_rules_file_is_a_one_line_config_error(tmp_path, case):
    content, reason = BAD_FILES[case]
    path = tmp_path / "rules.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_topics(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_missing_or_undecodable_rules_file(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read"):
        load_topics(tmp_path / "nope.toml")
    path = tmp_path / "gbk.toml"
    path.write_bytes('[[topic]]\nslug = "party"\ntitle = "党委"\n'.encode("gb18030"))
    with pytest.raises(ConfigError, match=r"gbk\.toml: not valid TOML"):
        load_topics(path)


# ----- real pages -----------------------------------------------------------------------------


def _squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _rough_cut(text: str, expected: list[dict]) -> list[Article]:
    """Cut a page into articles at the lines holding each expected title (no parser needed)."""
    lines = [line.strip() for line in text.splitlines()]
    starts, pos = [], 0
    for exp in expected:
        # a layout-scrambled title is printed in another order: its parts, not its whole text,
        # are on the title line (the first four characters of each part suffice)
        wanted = [_squash(s) for s in exp["title_contains"]]
        # (a title hard-wrapped over two lines: …村民 / 家门口就业)
        hits = [
            i
            for i in range(pos, len(lines))
            if all(w in _squash(lines[i]) for w in wanted)
            or all(w[:4] in _squash(lines[i]) for w in wanted)
            or (
                wanted[0][:4] in _squash(lines[i])
                and all(w in _squash("".join(lines[i : i + 2])) for w in wanted)
            )
        ]
        # a headline line is about as long as the title; a body line that quotes the title
        # (…审议了政府工作报告，…) is longer
        short = [i for i in hits if len(_squash(lines[i])) <= sum(map(len, wanted)) + 12]
        pos = (short or hits)[0]
        starts.append(pos)
        pos += 1
    ends = starts[1:] + [len(lines)]
    out = []
    for start, end in zip(starts, ends, strict=True):
        rest = [line for line in lines[start + 1 : end] if line]
        # a subtitle starts with a dash under the title (——区委常委会召开会议…): heading, not body
        subtitle = rest.pop(0).lstrip("—") if rest and rest[0].startswith("——") else None
        out.append(article(lines[start], *rest, subtitle=subtitle))
    return out


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_real_pages_cut_by_title(classify, truth_path):
    """The classifier alone, on whole real articles, independent of the parser."""
    from feeds.decode import decode

    doc = truth(truth_path)
    text, _ = decode((CORPUS / doc["file"]).read_bytes())
    for exp, art in zip(doc["articles"], _rough_cut(text, doc["articles"]), strict=True):
        primary = classify(art)[0]
        assert primary in exp["topics_ok"], (art.title, classify.scores(art))


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_real_pages_parsed(classify, truth_path):
    """Parser + classifier: every article's primary topic is one the truth accepts."""
    pytest.importorskip("feeds.parse")
    from feeds.source import read_page

    doc = truth(truth_path)
    page = read_page(CORPUS / doc["file"])
    assert len(page.articles) == len(doc["articles"])
    for exp in doc["articles"]:
        wanted = [_squash(s) for s in exp["title_contains"]]
        art = next(a for a in page.articles if all(w in _squash(a.title) for w in wanted))
        primary, topics, tags = classify(art)
        assert primary in exp["topics_ok"], (art.title, classify.scores(art))
        assert tags and not set(tags) & segment.stopwords()


def test_corpus_is_there():
    """The real-page tests above must not pass vacuously."""
    assert len(TRUTHS) >= 6
