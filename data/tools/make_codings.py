"""Write the demo study's manual codings, data/coding/coder_a.csv and data/coding/coder_b.csv.

Synthetic demonstration material for the gtflow project: two invented coders, "coder_a" and
"coder_b", coded ten of the (synthetic) interviews by hand with the concepts of
config/codebook.yaml. The passages and concepts below are a person's reading of the clean texts;
this script only turns each chosen quote into code-point offsets (start inclusive, end exclusive)
into results/clean/text/<doc_id>.txt, so that quote == text[start:end].

How the two coders differ (by design, to give the reliability step realistic material):
- On concrete concepts (download quotas a32, check-ins a33, screenshots a34, data faking a44,
  waste a52, shutdown a54) both coders mostly mark the same sentences.
- On interpretive concepts (formalism a10, vanity projects a11, deference a9, achievements a19,
  promotion a20, blame avoidance a21, avoiding faults a14, going along a15, numbers over results
  a41, records over results a42, perfunctory inspections a43) coder_b often picks a neighbouring
  concept of the same category, or a pressure concept where coder_a saw a control concept.
- coder_b selects somewhat longer or shorter spans and misses some passages; a few passages
  only coder_b coded.
- The two late themes of the demo corpus (personal-data worries a51, maintenance-contract
  lock-in a53) are first coded automatically in LY-I23..I26. Early passages that touch them
  lightly (maintenance funding in I03/I06/I09, a worry about ID numbers in I04/I11) are coded
  here as funding shortage (a7) or cost (a52), or left uncoded, so that the manual codings do
  not pre-empt the saturation design (see data/README.md).
- Three of coder_b's rows are deliberately stale: their offsets are shifted by a few characters
  (as if the transcript had been edited after coding) while the quote is right, so that the
  pipeline's re-anchoring reports them as "moved".

Run from the repository root after the pipeline has produced the clean texts:
    python data/tools/make_codings.py            # write the two CSVs
    python data/tools/make_codings.py --check    # also print per-concept agreement (preview)
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TEXT_DIR = REPO / "results" / "clean" / "text"
OUT_DIR = REPO / "data" / "coding"
SAME = "="


@dataclass(frozen=True)
class Passage:
    """One coded passage: coder_a's concept, and what coder_b did with the same passage.

    b: SAME (same concept), another concept id, or None (coder_b did not code it).
    bq: coder_b's own span when it differs from coder_a's (longer or shorter).
    a: None when only coder_b coded the passage.
    stale: shift coder_b's stored offsets by this many characters (a stale row).
    """

    quote: str
    a: str | None
    b: str | None = SAME
    bq: str | None = None
    stale: int = 0


def P(quote: str, a: str, b: str | None = SAME, bq: str | None = None, stale: int = 0) -> Passage:
    return Passage(quote, a, b, bq, stale)


def B(quote: str, b: str, stale: int = 0) -> Passage:
    """A passage only coder_b coded."""
    return Passage(quote, None, b, None, stale)


CODINGS: dict[str, list[Passage]] = {
    # R05, township party committee member
    "LY-I01": [
        P('会上县里领导讲得很清楚，这是今年平安建设的"一号工程"，各乡镇党委书记是第一责任人。', 'a24', 'a31'),
        P('会上发了个文件，每个乡镇的下载注册量多少多少，按常住人口的比例算。', 'a32'),
        P('把指标分到各个村、各个社区，村里再分到网格员、分到党员、分到村民小组长。', 'a32'),
        P('县里给我们一万二，我们往下分的时候要留点余量，分下去可能就一万四了，怕完不成嘛；村里再分，又加一点。', 'a4',
          bq='说白了就是层层加码。县里给我们一万二，我们往下分的时候要留点余量，分下去可能就一万四了，怕完不成嘛；村里再分，又加一点。'),
        P('我们基层是属地管理，出了什么事都是属地的责任，等于是无限责任。', 'a1'),
        P('权责不对等，上面什么都往下压，你不多压一点，排名掉下来了，挨通报的是你。', 'a2', 'a3'),
        P('所以宁可多压一点，这个是一种自保。', 'a21', 'a14'),
        P('那段时间每天晚上县里的工作群就发一张表，哪个乡镇下载量多少，注册量多少，完成率多少，红的绿的标出来。', 'a25'),
        P('后来还跟年底的综治考核挂钩，平安建设考核你要是扣了分，有的项目是一票否决的，那谁敢不当回事？', 'a35'),
        P('一方面呢，确实是想提高效率，想方便群众，这个我不否认，初衷是好的。', 'a16', 'a17'),
        P('兄弟县市都在搞，隔壁有个县搞了个什么"平安通"，还上了省里的简报。', 'a27'),
        P('我们这边领导压力也大，想争个试点，出个亮点。', 'a28', 'a19'),
        P('有图有数据，这个对政绩是有好处的，对个人晋升也有好处，这个大家心里都有数。', 'a19', 'a20'),
        P('有图有数据，这个对政绩是有好处的，对个人晋升也有好处，这个大家心里都有数。', 'a20', None),
        P('功能上跟我们已有的东西重复。', 'a45',
          bq='功能上跟我们已有的东西重复。矛盾纠纷我们有综治信息系统，通知群众有微信群，老百姓有事直接打村干部电话，比什么都快。'),
        P('上级喜欢的东西，你去泼冷水，那就是不懂事，是"不讲政治"。', 'a15', 'a9'),
        P('下载完了，注册完了，基本就没人打开。', 'a46'),
        P('网格员每天截图打卡，截图发到群里证明自己登录了。', 'a33'),
        P('网格员每天截图打卡，截图发到群里证明自己登录了。', 'a34'),
        P('形式主义嘛，你说它有什么用？', 'a10'),
        P('就是为了留痕，检查的时候翻出来看一看，有截图有台账，就算过关了。', 'a43', 'a12'),
        P('有的村干部自己用几个手机号注册，亲戚的号、家里老人的号，都拿来注册。', 'a44'),
        P('上面要的就是这个数，你较真了，你排名就垫底。', 'a41'),
        P('听说要停用，具体哪天下架我不清楚。', 'a54'),
        P('开发费听说几百万，我们基层花的人力更多', 'a52', bq='你说浪费不浪费？开发费听说几百万'),
        P('这个对政府的公信力是有伤害的，下次你真有事要群众配合，人家就不信你了。', 'a50'),
        P('第二个是考核不要只看数据，下载量这种东西太容易造假了。', 'a41'),
    ],
    # R14, grid worker
    "LY-I02": [
        P('反正上面哪个部门要数据，最后都落到我们网格员头上。', 'a5', 'a3'),
        P('我们是什么都管，但是什么权都没有。', 'a2', 'a1'),
        P('支书说镇里下了任务，每个网格要完成多少下载量、注册量，我分到的是四百二十个。', 'a32'),
        P('一家一家跑嘛。', 'a48', bq='一家一家跑嘛。上门去，先跟人家解释这是什么，能干什么，然后帮他下载，帮他注册。'),
        P('有的人接了电话就骂，说你们搞诈骗的吧，下这么多东西干嘛。', 'a49', 'a50'),
        P('就是这种，给你面子，是被迫下载的。', 'a49'),
        P('下完了转身就删掉了。', 'a46'),
        P('后来上面又查活跃度，查留存，又要我们去叫人家重新装。', 'a32'),
        P('就是每天早上要登录那个app，签到，然后截图，发到镇里的网格员工作群里。', 'a33'),
        P('就是每天早上要登录那个app，签到，然后截图，发到镇里的网格员工作群里。', 'a34', stale=4),
        P('有时候我在田里帮人家处理纠纷，手机没信号，回来晚了没截图，第二天通报就有我名字。', 'a34'),
        P('你说我是在干活还是在截图？', 'a48', None),
        P('可是不截图就要被通报，通报了绩效就扣。', 'a36', 'a35'),
        P('有的干部自己用几个手机号注册，家里人的、亲戚的，一个人名下好几个号。', 'a44'),
        P('我自己也用我老公的号、我妈的号注册过，没办法，排名天天出来，我们村老是倒数，支书压力大，我们也压力大。', 'a44'),
        B('我自己也用我老公的号、我妈的号注册过，没办法，排名天天出来，我们村老是倒数，支书压力大，我们也压力大。', 'a25'),
        P('后面听说系统里好多号是同一个手机登的，都是僵尸号。', 'a44'),
        P('那个app的完成情况是跟绩效挂钩的，完不成要扣钱，年底评优也没你的份。', 'a35'),
        P('还有一次镇里督查，来村里看我们的台账和截图，一页一页翻，看你有没有每天打卡。', 'a26', 'a43'),
        P('他们不看你矛盾调解了几起，就看截图。', 'a42'),
        P('可是漏了两天截图，督查的人就用红笔圈出来了。', 'a42', 'a12'),
        P('功能跟微信群完全是重复的。', 'a45'),
        P('没有渠道反映啊。', 'a37'),
        P('我也不敢多讲，讲多了人家说你有情绪，怕担责任嘛，大家都是这样。', 'a15', 'a14'),
        B('今年过了年就没人催了，群里也不发截图了。', 'a54'),
        P('我听镇里[P04]主任讲，可能要停用。', 'a54'),
        P('那一年多跑的路、挨的骂，都白挨了。', 'a48', None),
        P('老百姓现在一听说要下什么app，就先问，是不是又要截图、又要排名的那种？', 'a50'),
    ],
    # R01, county political-legal committee official (defends the app in part)
    "LY-I03": [
        P('那几年中央、省里都在讲社会治理现代化，讲智慧治理，讲"互联网+"。', 'a18'),
        P('群众在手机上就能反映问题，矛盾纠纷上报、安全隐患随手拍、法律咨询', 'a17', 'a16'),
        P('初衷就是方便群众，提高效率。', 'a17'),
        P('初衷就是方便群众，提高效率。', 'a16'),
        P('客观讲，有一部分功能是起了作用的。', 'a47'),
        P('下载注册指标是我们定的，这个不回避。', 'a32'),
        P('到了下面，层层加码，乡镇加一点，村里再加一点，就走样了。', 'a4'),
        P('每天截图打卡，这个不是县里统一要求的，是有些乡镇自己搞的，为了留痕，为了应付排名。', 'a33'),
        P('每天截图打卡，这个不是县里统一要求的，是有些乡镇自己搞的，为了留痕，为了应付排名。', 'a34'),
        P('每天截图打卡，这个不是县里统一要求的，是有些乡镇自己搞的，为了留痕，为了应付排名。', 'a12', 'a43'),
        P('这个属于基层执行中的形式主义，不是我们的本意。', 'a10'),
        P('有些是知道了，但是觉得推广期嘛，先把量做上去再说。', 'a41', None),
        P('排名通报是有的，每周一次。', 'a25'),
        P('问题在于，排名只排了下载量、注册量，没有把处理了多少件、群众满意度放进去，这个是我们考核设计上的缺陷，重数据轻实效。', 'a41', 'a42'),
        P('那时候周边兄弟县市都在搞类似的平台', 'a27'),
        P('省里也在评社会治理创新的案例，谁先搞出来，谁就有可能成为试点、成为示范。', 'a30', 'a28'),
        P('领导重视，希望涟源能走在前面，这也是正常的。', 'a9', None),
        P('但是你不能简单地说这就是为了政绩，为了面子工程。', 'a19', 'a11'),
        P('至于下面有人讲是跟风', 'a29', bq='至于下面有人讲是跟风，我觉得也要一分为二看，学习别人的好经验不是坏事，关键是要结合本地实际。'),
        P('镇综治办当天就派人下去，把两家叫到一起，现场调解，后来还签了协议。', 'a47'),
        P('一个是运维经费的问题，开发是一笔钱，后面每年还要运维，财政压力大，经费不足。', 'a7'),
        P('一个是省里后来有统一的政务平台，要求清理整合各地自建的app，功能重复的要关停。', 'a54'),
        B('一个是省里后来有统一的政务平台，要求清理整合各地自建的app，功能重复的要关停。', 'a45'),
        P('还有就是确实活跃度上不去，数据好看，但是真正每天在用的人不多。', 'a46'),
        P('综合这几个因素，今年上半年就停用了，应用商店那边也下架了。', 'a54',
          bq='综合这几个因素，今年上半年就停用了，应用商店那边也下架了。停用之前我们开过一个会，讨论要不要保留矛盾纠纷上报这个模块，并到综治信息系统里去。'),
        P('一是推广的方式太依赖行政命令了，发文件、定指标、开推进会、搞排名通报，这一套是我们最熟悉的工作方法', 'a31'),
        P('任务分解到人，跟考核挂钩，结果就是刷数据，刷出来一堆僵尸账号，你看到的数字都是虚的。', 'a44'),
        B('任务分解到人，跟考核挂钩，结果就是刷数据', 'a32'),
        P('二是对群众的真实需求调研不够', 'a40'),
        P('我们在县里看的是报表，报表上是一片绿，可是下面的人是怎么把这个绿色做出来的，我们了解得太少了。', 'a41'),
    ],
    # R09, village party secretary
    "LY-I04": [
        P('每个村多少任务，我们村分了一千一百个。', 'a32'),
        P('完不成呢，每周排名，排到后面的村，年底综治考核要扣分，扣多了一票否决，村里评先进、村干部的绩效补贴都受影响。', 'a35'),
        P('完不成呢，每周排名，排到后面的村', 'a25', None),
        P('我们村两委五个人，加上网格员，加上十二个村民小组长，每个人分一百个左右。', 'a32'),
        P('那就只能代注册。', 'a44'),
        P('我们就拿着户籍底册一个个录。', 'a44', bq='注册要填名字、手机号、身份证号，我们就拿着户籍底册一个个录。'),
        P('说到底我们村干部是有责无权，出了事是我们的责任，要什么东西都是找我们要，可是你要钱没有、要人没有。', 'a2', 'a1'),
        P('推这个app，一分钱经费没给，村干部跑来跑去的油费、电话费、流量费都是自己出的。', 'a7'),
        P('我们村有几个干部，一个人拿了四五张电话卡，自己用几个手机号注册，家里人的、旧号码，能用的都用上。', 'a44'),
        P('这个叫什么，刷数据嘛。', 'a44'),
        P('上面要看的就是那个数字，数字好看了，大家都好交差。', 'a41'),
        P('后来我就不讲了。', 'a15', bq='后来我就不讲了。讲多了，人家讲你这个老支书带头讲困难，影响不好。'),
        P('我们当村干部的，不求有功但求无过，上面叫做什么就做什么，做不好是要问责的，何必去出那个头。', 'a14'),
        P('来过，督查组来过两次。', 'a26'),
        P('来了就看台账，看你的入户登记表，看截图，看签到记录。', 'a43'),
        P('走过场嘛。', 'a43', bq='看完了讲"工作做得扎实"，就走了。走过场嘛。'),
        P('他们也不会去问老百姓，你下了这个app没有，你用过没有。', 'a42', 'a40'),
        P('旁边的人都笑了，督查组的人也笑了，然后就没下文了，照样打了个"合格"。', 'a43', None),
        P('这就是脱离实际嘛。', 'a40', 'a10'),
        P('最后名单上这些人也都"注册"了，你讲这个数字有什么意义。', 'a44', 'a41'),
        P('你们天天逼人家下这个下那个，莫搞得人家烦了，到时候真有事喊不动人。', 'a49', 'a50'),
        P('停了好，停了我们就少一桩事。', 'a54'),
        P('就是觉得浪费，听说开发费花了几百万，我们这里修一条组级公路才几十万。', 'a52', stale=-3),
        P('搞这个，搞完了，下架了，什么都没留下，就留了一堆台账', 'a54'),
        P('搞这个，搞完了，下架了，什么都没留下，就留了一堆台账', 'a12', None),
    ],
    # R22, vendor project manager
    "LY-I06": [
        P('一期合同金额是1380000元，就是一百三十八万。', 'a52', None),
        P('如果把后面的运维、服务器、短信这些都算上，可能两百万出头吧，但没有几百万那么多。', 'a52'),
        P('后台要能分级派单，县、镇、村三级流转，处理完要回访。', 'a16', None),
        P('从技术角度讲，这是一个正儿八经的智慧治理系统，设计上是没有问题的。', 'a18'),
        P('矛盾纠纷上报和随手拍，是真正有数据在跑的。', 'a47'),
        P('所以我一直讲，这个app不是完全没有用，它是有真实用途的。', 'a47'),
        P('我们调研的对象是政法委和几个乡镇的干部，没有一个普通群众，需求是干部想象出来的群众需求。', 'a40'),
        P('群众等不到回复，下次就不报了。', 'a37', 'a46'),
        P('上线以后，甲方最关心的不是处理率，是下载量和注册量。', 'a41', 'a32'),
        P('他们让我们加了好几个功能：按乡镇的下载量排名、注册量排名，每天自动生成报表；然后又加了一个"签到打卡"的功能，网格员每天要签到。', 'a25'),
        P('他们让我们加了好几个功能：按乡镇的下载量排名、注册量排名，每天自动生成报表；然后又加了一个"签到打卡"的功能，网格员每天要签到。', 'a33'),
        P('说实话，这些功能是为了考核、为了管人的，不是为了服务群众的。', 'a10', 'a35'),
        P('同一台设备注册了十几个账号，同一个IP一个晚上注册几百个，注册了以后从来没有登录过的，占了一大半。', 'a44'),
        P('我们跟甲方反映过，说这些是僵尸账号，数据是虚的，建议做一下清洗。', 'a44'),
        P('对方讲，先不要动，领导要看这个数。', 'a9'),
        P('后来甚至有乡镇的人私下打电话问我们，能不能在后台直接把他们镇的数字调高一点。', 'a44'),
        P('还有就是功能重复。', 'a45'),
        P('群众报一个事，镇里要在几个系统里各录一遍。', 'a48', 'a45'),
        P('二期的运维合同一直没签下来，说经费不足，财政紧张。', 'a7', None),
        P('四月份正式停用，应用商店那边也下架了。', 'a54'),
        P('收到的大部分是讲"为什么要强制下载""能不能注销账号"的。', 'a49'),
        P('问得最多的问题是"签到记录能不能导出来""排名怎么算的"，没有一个人问群众上报的事项怎么快速处理。', 'a42', 'a43'),
        P('一个系统，如果使用者只关心怎么应付考核，那它迟早会变成僵尸。', 'a46'),
        P('下载量成了目的本身。', 'a41'),
    ],
    # R04, township comprehensive-governance office director
    "LY-I07": [
        P('我们综治办，编制上是四个人，实际在岗的就我和另外一个年轻人', 'a6',
          bq='我们综治办，编制上是四个人，实际在岗的就我和另外一个年轻人，还有一个借调到县里去了，一个长期病假。所以基本上就两个人，对着全镇二十三个村、三个社区。'),
        P('每一项上面都有一个对口部门，每个部门都有自己的要求、自己的表格、自己的平台。', 'a5'),
        P('属地管理嘛，出了事找属地，可是人员编制和经费都在上面，我们下面是有责无权。', 'a1', None),
        P('属地管理嘛，出了事找属地，可是人员编制和经费都在上面，我们下面是有责无权。', 'a2'),
        P('每天晚上九点前要把全镇的下载量、注册量、活跃数报到县里，县里第二天早上出排名通报。', 'a34', 'a33'),
        P('每天晚上九点前要把全镇的下载量、注册量、活跃数报到县里，县里第二天早上出排名通报。', 'a25'),
        P('那一年多，我基本上没有在十点前下过班。', 'a48'),
        P('可是中游也不敢松劲，一松就掉下去了。', 'a25', None),
        P('各个村的网格员每天要截图打卡，发到镇里的群里。', 'a33'),
        P('各个村的网格员每天要截图打卡，发到镇里的群里。', 'a34'),
        P('我要一个一个核对，做成表，再报上去。', 'a13', 'a48'),
        P('很大程度上就是留痕，为了督查的时候有东西给人看。', 'a12'),
        P('重复得厉害。', 'a45'),
        P('同一件矛盾纠纷，我要在三个系统里各录一次，格式还不一样。', 'a45'),
        P('督查组下来，主要是看台账，看截图，看你有没有每周开推进会，有没有会议记录和照片。', 'a43'),
        P('他们关心的是你的下载完成率是不是达标，你有没有痕迹。', 'a41', 'a42'),
        P('检查就是走过场，重留痕轻实效。', 'a43'),
        P('检查就是走过场，重留痕轻实效。', 'a42'),
        P('有一回督查组下来，指出我们一个村的截图日期不连续，少了两天，当场扣了分，还在全县通报了。', 'a36'),
        B('有一回督查组下来，指出我们一个村的截图日期不连续', 'a26'),
        P('因为数据好考嘛。', 'a41', None),
        P('再一个，现在大家都怕担责任，你有截图、有记录，出了事你能说我做了；你没有痕迹，哪怕你做了，也说不清楚。', 'a21'),
        P('所以大家拼命留痕，这是一种避责的办法。', 'a21', 'a12'),
        P('没有什么正式的渠道。', 'a37'),
        P('当时也没有媒体来问过，本地的新闻只报成绩。', 'a38'),
        P('人大那边，年底来检查过一次平安建设，听了汇报，看了材料，也没有人问这个app好不好用。', 'a39'),
        P('比如有人拍到一个山塘堤坝有裂缝，我们及时处理了。', 'a47'),
        P('县里讲所有的排查都要在平台上留记录，那我们就是再忙也要录进去，不然出了事说不清。', 'a21', 'a12'),
        P('你看，它本来是个服务群众的工具，到了我们手里，变成了一个避责的工具。', 'a21'),
        P('现在的情况是权责不对等，事情都压到乡镇，可是乡镇手里什么都没有。', 'a2', 'a3'),
    ],
    # R02, county information centre / big-data bureau
    "LY-I09": [
        P('一是功能重复，矛盾纠纷上报跟综治信息系统重叠，事项上报跟政务服务热线、跟省里统一的政务服务平台也有重叠', 'a45'),
        P('一个独立的app，有自己的名字、自己的图标，宣传起来好看，汇报的时候可以说"我们自主建设了一个平台"，容易出亮点。', 'a11', 'a19'),
        P('一个独立的app，有自己的名字、自己的图标，宣传起来好看，汇报的时候可以说"我们自主建设了一个平台"，容易出亮点。', 'a19', None),
        P('你要是在已有平台上加个模块，就没有这个效果了，显示度不够。', 'a11', None),
        P('另外呢，部门有自己的考虑，一个独立项目意味着一笔独立的经费，以后每年还有运维经费，对部门来说是一块实实在在的资源。', 'a22'),
        P('现在各个部门都想有自己的信息化项目，有项目就有经费，有经费就有话语权。', 'a22', 'a23'),
        P('作为试点、作为示范推广，那是部门的成绩，也是领导的政绩，对个人的晋升也有帮助。', 'a19', 'a20'),
        P('那时候周边兄弟县市也在搞类似的东西，你不搞，别人搞了，评比的时候你就落后了，所以有一种跟风的压力。', 'a27'),
        P('那时候周边兄弟县市也在搞类似的东西，你不搞，别人搞了，评比的时候你就落后了，所以有一种跟风的压力。', 'a29', None),
        P('评审嘛，你懂的，很多时候是走过场，领导已经定了的事，评审会是一个程序。', 'a43', 'a9'),
        P('我们作为技术部门，可以提意见，但是没有否决权。', 'a15', 'a2'),
        P('有责无权，出了问题说你技术把关不严，可是决定不是你做的。', 'a2', 'a21'),
        P('注册量最高的时候有四十多万，全县常住人口才八十多万，这个比例你想想就不太可能。', 'a44', None),
        P('所以这是一个典型的"僵尸"应用，数据很漂亮，实际使用率很低。', 'a46'),
        B('所以这是一个典型的"僵尸"应用，数据很漂亮，实际使用率很低。', 'a41'),
        P('一看就是网格员和干部在集中签到打卡，不是群众在用。', 'a33'),
        P('说注册数据存在大量异常账号，建议清理，考核不要只看注册量。', 'a44'),
        B('说注册数据存在大量异常账号，建议清理，考核不要只看注册量。', 'a41'),
        P('但是那个时候排名通报每周都在出，各乡镇都在比，谁也不愿意主动把自己的数据降下来。', 'a25'),
        P('督查那边看的也是这个数，考核用的也是这个数，数据一清理，排名就乱了。', 'a41'),
        B('督查那边看的也是这个数', 'a26'),
        P('内部监督的方向本身就偏了，它查的是数据有没有达标、痕迹全不全，而不是事情办没办好', 'a42',
          bq='内部监督的方向本身就偏了，它查的是数据有没有达标、痕迹全不全，而不是事情办没办好，那刷量的人是没有任何风险的，反而老实的人吃亏。'),
        B('内部监督的方向本身就偏了，它查的是数据有没有达标', 'a41'),
        P('一个是上面有要求，清理整合各地自建的政务app，功能重复、使用率低的要关停。', 'a54'),
        P('第二个是运维经费不足，二期的钱一直没有落实。', 'a7'),
        P('最后决定停用，四月份下架，数据我们这边做了备份和移交。', 'a54'),
        P('考核指挥棒指向下载量，那所有人就奔着下载量去了；排名一出来，面子问题就来了。', 'a41', 'a35'),
        P('到最后，方便群众这个目标，反而成了汇报材料里的一句话。', 'a10', None),
        P('全县上万名干部、网格员，一年多的时间花在催下载、打卡、截图上，这个是看不见的成本。', 'a48'),
        P('你让老百姓下了一个app，然后说停就停了，连个通知都没有', 'a54', None),
        P('以后再推真正有用的东西，群众也不会信了，政府公信力受损。', 'a50'),
    ],
    # R18, shop owner (resident)
    "LY-I11": [
        P('县里推一个平安app，每个门店都要下，还要注册，讲是上面的任务。', 'a24'),
        P('我这个月完不成要挨批。', 'a36'),
        P('那我就下了。', 'a49', None),
        P('没怎么用。', 'a46'),
        P('后来又有人来讲，要每天登录一下，不然那个什么活跃度不够。', 'a33', 'a32'),
        P('后来街道还来了两个人，挨家挨户地查，讲是督查，要看你手机上有没有装。', 'a26'),
        P('一个app，你们来了四五拨人，是不是每个人都有任务？', 'a32', None),
        P('所以说是被迫下载，一点都不夸张。', 'a49'),
        P('大家私下里都有意见，老百姓反感得很。', 'a49'),
        P('他一个手机上装了五六个政府叫装的app，什么都有，一个都没打开过', 'a45', 'a46'),
        P('没有渠道反映啊。', 'a37'),
        P('电视里、报纸上，讲的都是"平安涟源"怎么好、下载量多少，没有哪个媒体来问过我们老百姓。', 'a38'),
        P('好像我们老百姓就是个数字，给你们凑数用的。', 'a50', 'a44'),
        P('我猜啊，就是搞政绩嘛。', 'a19'),
        P('当官的要出成绩，搞个新东西，报上去好看。', 'a19', 'a11'),
        P('下面的人就跟着跑，层层压下来，压到最后就压到我们老百姓头上。', 'a3'),
        P('那个事我们讲了几年都没搞，这个app倒是一下子就搞起来了。', 'a40', None),
        P('讲应用商店里都下架了。', 'a54'),
        P('搞了那么大的动静，来了那么多人，最后悄无声息就没了。', 'a54'),
        P('听讲那个东西花了一两百万，我一个小店子一年也赚不到几万块，你讲心疼不心疼。', 'a52'),
        P('公信力就是这么没的。', 'a50'),
        P('他后来跟我讲，那个东西报上去就石沉大海了，还不如直接打电话。', 'a46', 'a37'),
        P('先问问我们要不要嘛。', 'a40'),
        P('不要搞强制，不要一拨一拨地来催。', 'a49', 'a31'),
    ],
    # R03, county comprehensive-governance centre
    "LY-I14": [
        P('综治工作又是属地管理，什么矛盾纠纷、安全隐患，最后都落到乡镇、村里。', 'a1', 'a3'),
        P('矛盾纠纷上报、隐患随手拍这两个模块，说句公道话，是真解决过一些问题的。', 'a47'),
        P('上面有平安建设的考核，里面有一项叫"群众参与度"，怎么衡量参与度？', 'a24', 'a35'),
        P('指标一下来，县里分到乡镇，乡镇分到村，村里再分到每个干部、每个网格员，这就是层层加码。', 'a32'),
        P('指标一下来，县里分到乡镇，乡镇分到村，村里再分到每个干部、每个网格员，这就是层层加码。', 'a4', None),
        P('到了村里干部手上就是每人多少个，完不成就通报。', 'a32'),
        P('每周一个表，各乡镇的下载量、注册量、活跃度，从高到低排名，发到工作群里，也印发文件。', 'a25'),
        P('排在后三名的，要在推进会上表态发言。', 'a36', 'a25'),
        P('排名一出来，大家就只盯着那个数字，到底有没有人用，反而没人管了。', 'a41'),
        P('有的镇一个晚上注册量涨了几百，一看全是同一个时间段的，明显是刷的。', 'a44'),
        P('说到底还是权责不对等，乡镇什么事都要兜底，人就那么几个，经费不足，又要完成县里的数字，他只能想办法。', 'a2'),
        P('说到底还是权责不对等，乡镇什么事都要兜底，人就那么几个，经费不足，又要完成县里的数字，他只能想办法。', 'a1', 'a6'),
        P('不挂钩推不动啊。', 'a35'),
        P('这个是行政系统的惯性，什么事要落实，就得纳入考核、跟评先评优挂钩。', 'a35'),
        B('这个是行政系统的惯性，什么事要落实', 'a10'),
        P('要出亮点，全市要是能在平安建设上有一个拿得出手的东西，对整个县都是好事。', 'a19'),
        P('这里面有没有政绩的考虑，肯定有，我不回避。', 'a19', 'a20'),
        P('我们在县里看的是报表，一张表上几十个乡镇，数字是往上走的，看起来形势很好。', 'a41', 'a13'),
        P('每个手机登一个号，每天早上挨个打卡、截图，再把截图发到群里。', 'a33'),
        P('每个手机登一个号，每天早上挨个打卡、截图，再把截图发到群里。', 'a34'),
        P('上面督查组来了，首先翻的就是台账，台账上就是下载量、注册量、活跃度、截图留痕，你没有这些，检查就过不了关。', 'a43', 'a42'),
        P('所以说，一级压一级，每一级都觉得自己是被逼的。', 'a3'),
        P('人家有了，你没有，领导脸上就不好看。', 'a11'),
        B('人家有了，你没有', 'a27'),
        P('我们当时也想争取成为全市的试点单位，试点拿到了，后面的经费、政策都会倾斜一点。', 'a28'),
        B('试点拿到了，后面的经费、政策都会倾斜一点', 'a22'),
        P('后来加了学习、积分、打卡，基层干部要每天签到留痕，这就变味了。', 'a33'),
        B('基层干部要每天签到留痕，这就变味了。', 'a12'),
        P('今年上半年基本停用了，应用市场也下架了。', 'a54', stale=7),
        P('有人说浪费了开发费，几百万花出去没见效果。', 'a52'),
        P('基层干部不是不想干事，是被指标压得只能做表面文章。', 'a10', 'a41'),
        P('当时群众对这个东西有意见，大多是跟村干部发发牢骚，传不到我们这一级来，等我们知道的时候，已经怨气很大了。', 'a37', 'a40'),
    ],
    # R16, full-time grid worker
    "LY-I17": [
        P('后来只能挨家挨户上门，白天上班的人家找不到，就晚上七八点去，一户一户讲。', 'a48'),
        P('下完当着我的面就想删，我还得求他们，"等我截完图再删好不好"。', 'a34', None),
        P('下完当着我的面就想删，我还得求他们，"等我截完图再删好不好"。', 'a46', None),
        P('上次反映的下水道问题到现在还没修', 'a37', None),
        P('我们网格是要完成常住人口的百分之六十，算下来七百多个。', 'a32',
          bq='街道分到社区，社区分到网格，每个网格一个数，我们网格是要完成常住人口的百分之六十，算下来七百多个。'),
        P('除了下载量，还有注册量、活跃度，还有"随手拍"上报数，每个网格员每天至少上报五条。', 'a32'),
        P('除了下载量，还有注册量、活跃度，还有"随手拍"上报数，每个网格员每天至少上报五条。', 'a33'),
        P('每天早上要在app里签到打卡，截图发到街道的网格员群里', 'a33'),
        P('每天早上要在app里签到打卡，截图发到街道的网格员群里', 'a34'),
        P('漏一天就要被点名。', 'a36', 'a33'),
        P('后来真的问题拍完了，大家就开始凑。', 'a44'),
        P('同一个垃圾桶换个角度拍两次，或者拍"车辆乱停"，其实就是正常停在那里的车。', 'a44'),
        P('处理完再拍张照片说已整改，一条记录就闭环了，看起来工作量很大，实际上什么也没改变。', 'a42', 'a10'),
        P('街道每周排名，网格员的名字都在上面，倒数的要写情况说明，还跟绩效挂钩，一个月绩效几百块，扣起来很心疼。', 'a25'),
        P('街道每周排名，网格员的名字都在上面，倒数的要写情况说明，还跟绩效挂钩，一个月绩效几百块，扣起来很心疼。', 'a35'),
        P('街道每周排名，网格员的名字都在上面，倒数的要写情况说明，还跟绩效挂钩，一个月绩效几百块，扣起来很心疼。', 'a36', None),
        P('我们是属地管理的最底层，什么都要管', 'a1'),
        P('疫情排查、防汛、消防、人口普查、反诈宣传，现在又加上app下载', 'a5', 'a2'),
        P('有责无权，说的就是网格员。', 'a2'),
        P('真正该做的入户走访、矛盾调解、特殊人群关爱，反而只能挤时间做，有时候就只能在台账上补一笔。', 'a48', 'a12'),
        P('有人就找亲戚朋友的号码，一个人用好几个手机号注册。', 'a44'),
        P('街道领导心里也清楚，只要数字好看，一般不追究。', 'a41', 'a43'),
        P('我有段时间手机里装了双开软件，一个手机登两个号，每天早上起来第一件事就是挨个签到。', 'a44'),
        P('我有段时间手机里装了双开软件，一个手机登两个号，每天早上起来第一件事就是挨个签到。', 'a33'),
        P('比如有一次我拍了一处电线老化，报上去三天就有人来换了，这种时候我是有成就感的。', 'a47'),
        P('但是它跟我们网格的微信群功能重复', 'a45'),
        P('app上那些数字，大部分是我们网格员自己撑起来的。', 'a44', 'a46'),
        P('老百姓反感，是冲着政府的，但是落到我们脸上。', 'a49', 'a50'),
        P('反映了也没用，后来大家就不说了，该截图截图，该打卡打卡。', 'a15'),
        P('我们有个说法，叫"干活不重要，留痕才重要"。', 'a12'),
        P('能先问问我们这些天天跟居民打交道的人，老百姓到底需要什么', 'a40'),
    ],
}

COLUMNS = ["doc_id", "start", "end", "quote", "concept_id", "coder"]


def locate(text: str, quote: str, doc_id: str) -> tuple[int, int]:
    """Offsets of the one occurrence of ``quote`` in ``text``; the quote must be unique and lie
    within one turn (one line)."""
    if "\n" in quote:
        sys.exit(f"{doc_id}: a quote spans more than one turn: {quote[:30]}…")
    first = text.find(quote)
    if first < 0:
        sys.exit(f"{doc_id}: quote not found in the clean text: {quote[:40]}…")
    if text.find(quote, first + 1) >= 0:
        sys.exit(f"{doc_id}: quote occurs more than once; lengthen it: {quote[:40]}…")
    return first, first + len(quote)


def build_rows(text_dir: Path, concept_ids: set[str]) -> tuple[list[dict], list[dict], list[dict]]:
    """coder_a rows, coder_b rows, and the stale coder_b rows (for the report)."""
    rows_a, rows_b, stale = [], [], []
    for doc_id, passages in CODINGS.items():
        text = (text_dir / f"{doc_id}.txt").read_text(encoding="utf-8")
        for p in passages:
            for concept in (p.a, p.b):
                if concept not in (None, SAME) and concept not in concept_ids:
                    sys.exit(f"{doc_id}: unknown concept {concept}")
            if p.a is not None:
                start, end = locate(text, p.quote, doc_id)
                rows_a.append({"doc_id": doc_id, "start": start, "end": end, "quote": p.quote,
                                   "concept_id": p.a, "coder": "coder_a"})
            if p.b is not None:
                quote = p.bq or p.quote
                concept = p.a if p.b == SAME else p.b
                start, end = locate(text, quote, doc_id)
                row = {"doc_id": doc_id, "start": start + p.stale, "end": end + p.stale, "quote": quote,
                           "concept_id": concept, "coder": "coder_b"}
                rows_b.append(row)
                if p.stale:
                    stale.append(row)
    return rows_a, rows_b, stale


def write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def preview_agreement(rows: list[dict]) -> None:
    """Per-concept agreement on sentence segments, as the pipeline computes it (needs the
    pipeline's segments and the gtflow package on PYTHONPATH)."""
    import pandas as pd

    sys.path.insert(0, str(REPO / "src"))
    from gtflow.stats.reliability import concept_agreement

    segments = pd.read_parquet(REPO / "results" / "clean" / "segments.parquet")
    placed = []
    for row in rows:
        doc = segments[segments["doc_id"] == row["doc_id"]]
        hit = doc[(doc["start"] < row["end"]) & (doc["end"] > row["start"])]
        placed += [{"doc_id": row["doc_id"], "seg_id": s, "concept_id": row["concept_id"],
                        "coder": row["coder"]} for s in hit["seg_id"]]
    table = concept_agreement(pd.DataFrame(placed), segments, ["coder_a", "coder_b"], n_boot=200)
    print(table[["concept_id", "n_units_coded", "percent_agreement", "krippendorff_alpha"]]
          .to_string(index=False, float_format=lambda x: f"{x:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="print per-concept agreement")
    args = parser.parse_args()
    codebook = yaml.safe_load((REPO / "config" / "codebook.yaml").read_text(encoding="utf-8"))
    concept_ids = {c["id"] for c in codebook["concepts"]}
    rows_a, rows_b, stale = build_rows(TEXT_DIR, concept_ids)
    write_csv(OUT_DIR / "coder_a.csv", rows_a)
    write_csv(OUT_DIR / "coder_b.csv", rows_b)
    print(f"coder_a: {len(rows_a)} rows, coder_b: {len(rows_b)} rows")
    for row in stale:
        print(f"stale coder_b row: {row['doc_id']} {row['concept_id']} "
              f"{row['start']}-{row['end']} {row['quote'][:20]}…")
    if args.check:
        # Preview with the true (re-anchored) positions, as the pipeline will use them.
        preview_agreement(rows_a + [_unstale(r) for r in rows_b])


def _unstale(row: dict) -> dict:
    """The row at its quote's true position (what re-anchoring will find)."""
    text = (TEXT_DIR / f"{row['doc_id']}.txt").read_text(encoding="utf-8")
    start, end = locate(text, row["quote"], row["doc_id"])
    return {**row, "start": start, "end": end}


if __name__ == "__main__":
    main()
