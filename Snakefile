# gtflow: raw interviews and web documents -> cleaning and de-identification -> coding ->
# reliability and saturation -> mechanism tables -> report. Run inside a study folder
# (config/ + data/); the default study is this repository.


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/code.smk"
include: "workflow/rules/reliability.smk"
include: "workflow/rules/saturation.smk"
include: "workflow/rules/mechanisms.smk"
include: "workflow/rules/export.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        final_targets,
