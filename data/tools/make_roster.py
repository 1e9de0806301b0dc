"""Write the demo study's respondent roster, data/raw/respondents.sav (synthetic persons).

Run once by the project to create the file; the pipeline only reads it. Every name is invented
for this synthetic demonstration study.
"""

from pathlib import Path

import pandas as pd
import pyreadstat

ROLES = {1: "县级干部 county official", 2: "乡镇/街道干部 township or street cadre",
         3: "村/社区干部 village or community cadre", 4: "网格员 grid worker",
         5: "群众 resident", 6: "软件公司/运维 vendor or operator"}
LEVELS = {1: "县 county", 2: "乡镇/街道 township", 3: "村/社区 village", 4: "体制外 outside government"}
GENDERS = {1: "男 male", 2: "女 female"}
AGE_BANDS = {1: "25-34", 2: "35-44", 3: "45-54", 4: "55+"}
CONSENT = {0: "否 no", 1: "是 yes"}

# id, name, aliases, role, level, gender, age band, years in post
PEOPLE = [
    ("R01", "曾国梁", "曾书记", 1, 1, 1, 3, 12), ("R02", "谢丽萍", "", 1, 1, 2, 2, 8),
    ("R03", "胡建军", "胡主任", 1, 1, 1, 3, 15), ("R04", "刘晓燕", "", 2, 2, 2, 2, 7),
    ("R05", "罗志强", "罗委员", 2, 2, 1, 3, 18), ("R06", "邓海波", "", 2, 2, 1, 1, 4),
    ("R07", "彭美华", "", 2, 2, 2, 1, 3), ("R08", "周永红", "", 2, 2, 1, 2, 9),
    ("R09", "吴春生", "吴支书", 3, 3, 1, 4, 20), ("R10", "梁秀英", "", 3, 3, 2, 3, 11),
    ("R11", "朱文斌", "", 3, 3, 1, 2, 6), ("R12", "颜春梅", "", 3, 3, 2, 1, 2),
    ("R13", "贺建国", "", 3, 3, 1, 3, 10), ("R14", "李娟", "", 4, 3, 2, 1, 3),
    ("R15", "肖伟", "", 4, 3, 1, 2, 5), ("R16", "孙小芳", "", 4, 3, 2, 1, 2),
    ("R17", "陈德明", "陈老师", 5, 4, 1, 4, 0), ("R18", "王桂兰", "", 5, 4, 2, 3, 0),
    ("R19", "黄磊", "", 5, 4, 1, 1, 0), ("R20", "蒋玉梅", "", 5, 4, 2, 2, 0),
    ("R21", "龙志刚", "", 5, 4, 1, 2, 0), ("R22", "杨帆", "杨经理", 6, 4, 1, 2, 6),
    ("R23", "钟晓林", "", 6, 4, 2, 1, 3), ("R24", "易国华", "", 1, 1, 1, 3, 14),
    ("R25", "戴红霞", "", 2, 2, 2, 2, 8), ("R26", "任立新", "", 5, 4, 1, 4, 0),
]


def main() -> None:
    frame = pd.DataFrame(PEOPLE, columns=["respondent_id", "name", "aliases", "role", "level",
                                          "gender", "age_band", "years_in_post"])
    frame["consent"] = 1
    labels = ["受访者编号 respondent id", "姓名 name", "别称 aliases", "角色 role", "行政层级 level",
              "性别 gender", "年龄段 age band", "任职年限 years in post", "知情同意 consent"]
    out = Path(__file__).resolve().parents[1] / "raw" / "respondents.sav"
    pyreadstat.write_sav(frame, str(out), column_labels=labels,
                         variable_value_labels={"role": ROLES, "level": LEVELS, "gender": GENDERS,
                                                "age_band": AGE_BANDS, "consent": CONSENT})


if __name__ == "__main__":
    main()
