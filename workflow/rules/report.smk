# Report: context from the results, figures (SVG), the .qmd from jinja2 templates, rendering.


rule report_context:
    input:
        documents="results/clean/documents.parquet",
        segments="results/clean/segments.parquet",
        duplicates="results/clean/duplicates.csv",
        codings="results/code/codings.parquet",
        anchors="results/code/anchoring.csv",
        reliability="results/reliability/agreement.csv",
        reliability_summary="results/reliability/summary.json",
        disagreements="results/reliability/disagreements.csv",
        curves="results/saturation/curves.csv",
        holdout="results/saturation/holdout.csv",
        saturation="results/saturation/summary.json",
        case_main="results/mechanisms/case_by_main_category.csv",
        nodes="results/mechanisms/nodes.csv",
        edges="results/mechanisms/edges.csv",
        quotes="results/mechanisms/quotes.csv",
        recommendations="results/mechanisms/recommendations.csv",
        mechanisms="results/mechanisms/summary.json",
        codebook="config/codebook.yaml",
        model="config/model.yaml",
        config_file="config/config.yaml",
        data_card=data_card,
    output:
        context="results/report/context.json",
        saturation_svg="reports/figures/saturation.svg",
        heatmap_svg="reports/figures/heatmap.svg",
        model_svg="reports/figures/model.svg",
    params:
        config=config,
    log:
        "logs/report/context.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/report_context.py"


rule report_qmd:
    input:
        context="results/report/context.json",
        templates="workflow/templates/report.qmd.j2",
    output:
        f"{REPORT}.qmd",
    params:
        language=config["report"]["language"],
    log:
        "logs/report/qmd.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/report_qmd.py"


rule report_html:
    input:
        qmd=f"{REPORT}.qmd",
        figures=[
            "reports/figures/saturation.svg",
            "reports/figures/heatmap.svg",
            "reports/figures/model.svg",
        ],
    output:
        f"{REPORT}.html",
    params:
        renderer=config["report"]["renderer"],
    log:
        "logs/report/html.log",
    conda:
        "../envs/gtflow.yaml"
    script:
        "../../scripts/report_render.py"
