# Report: context and figures (SVG) from the results, the .qmd from jinja2 templates, rendering.


rule report_context:
    input:
        documents="results/clean/documents.parquet",
        segments="results/clean/segments.parquet",
        duplicates="results/clean/duplicates.csv",
        codings="results/code/codings.parquet",
        anchoring="results/code/anchoring.csv",
        agreement="results/reliability/agreement.csv",
        reliability_summary="results/reliability/summary.json",
        disagreements="results/reliability/disagreements.csv",
        curves="results/saturation/curves.csv",
        holdout="results/saturation/holdout.csv",
        holdout_reference="results/saturation/holdout_reference.csv",
        guest_sensitivity="results/saturation/guest_sensitivity.csv",
        saturation_summary="results/saturation/summary.json",
        case_by_main_category="results/mechanisms/case_by_main_category.csv",
        cooccurrence="results/mechanisms/cooccurrence.csv",
        nodes="results/mechanisms/nodes.csv",
        edges="results/mechanisms/edges.csv",
        quotes="results/mechanisms/quotes.csv",
        concept_quotes="results/mechanisms/concept_quotes.csv",
        negative_cases="results/mechanisms/negative_cases.csv",
        evidence="results/tables/evidence.csv",
        recommendations="results/mechanisms/recommendations.csv",
        mechanisms_summary="results/mechanisms/summary.json",
        validity="results/code/validity.csv",
        rule_audit="results/code/rule_audit.csv",
        rule_phrases="results/code/rule_phrases.csv",
        review="results/code/review.csv",
        codebook="config/codebook.yaml",
        model="config/model.yaml",
        config_file="config/config.yaml",
        labels_en=TEMPLATE_DIR / "labels.en.yaml",
        labels_zh=TEMPLATE_DIR / "labels.zh.yaml",
        respondents=public_roster,
        data_card=data_card,
        manual=manual_coding_files,
        memos=memo_inputs,
        raw_side=raw_side_files,
        code=library_code(
            "report", "coding", "mechanisms", "stats", "ingest", "memos.py"
        ),
    output:
        context="results/report/context.json",
        saturation_svg=report(
            "reports/figures/saturation.svg",
            caption="../report/saturation.rst",
            category="Figures",
        ),
        heatmap_svg=report(
            "reports/figures/heatmap.svg",
            caption="../report/heatmap.rst",
            category="Figures",
        ),
        timeline_svg=report(
            "reports/figures/timeline.svg",
            caption="../report/timeline.rst",
            category="Figures",
        ),
        model_svg=report(
            "reports/figures/model.svg",
            caption="../report/model.rst",
            category="Figures",
        ),
        validity_svg=report(
            "reports/figures/validity.svg",
            caption="../report/validity.rst",
            category="Figures",
        ),
    log:
        "logs/report/context.log",
    priority: 25
    conda:
        "../envs/gtflow.yaml"
    params:
        config=config,
    script:
        "../../scripts/report_context.py"


rule report_qmd:
    input:
        context="results/report/context.json",
        template=TEMPLATE_DIR / "report.qmd.j2",
        sections=sorted((TEMPLATE_DIR / "sections").glob("*.qmd.j2")),
        partials=TEMPLATE_DIR / "partials.j2",
        labels_en=TEMPLATE_DIR / "labels.en.yaml",
        labels_zh=TEMPLATE_DIR / "labels.zh.yaml",
        code=library_code("report"),
    output:
        f"{REPORT}.qmd",
    log:
        "logs/report/qmd.log",
    priority: 25
    conda:
        "../envs/gtflow.yaml"
    params:
        language=config["report"]["language"],
    script:
        "../../scripts/report_qmd.py"


rule report_html:
    input:
        qmd=f"{REPORT}.qmd",
        css=TEMPLATE_DIR / "report.css",
        figures=[
            "reports/figures/saturation.svg",
            "reports/figures/heatmap.svg",
            "reports/figures/timeline.svg",
            "reports/figures/model.svg",
            "reports/figures/validity.svg",
        ],
        code=library_code("report"),
    output:
        report(f"{REPORT}.html", caption="../report/report.rst", category="Report"),
    log:
        "logs/report/html.log",
    priority: 25
    conda:
        "../envs/gtflow.yaml"
    params:
        renderer=config["report"]["renderer"],
    script:
        "../../scripts/report_render.py"


rule report_pdf:
    input:
        qmd=f"{REPORT}.qmd",
        figures=[
            "reports/figures/saturation.svg",
            "reports/figures/heatmap.svg",
            "reports/figures/timeline.svg",
            "reports/figures/model.svg",
            "reports/figures/validity.svg",
        ],
        code=library_code("report"),
    output:
        f"{REPORT}.pdf",
    log:
        "logs/report/pdf.log",
    priority: 25
    conda:
        "../envs/gtflow.yaml"
    params:
        cjk_font=config["report"]["cjk_font"],
    script:
        "../../scripts/report_pdf.py"


rule report_evidence:
    input:
        evidence="results/tables/evidence.csv",
        negative_cases="results/mechanisms/negative_cases.csv",
        mechanisms_summary="results/mechanisms/summary.json",
        codebook="config/codebook.yaml",
        model="config/model.yaml",
        memos=memo_inputs,
        labels_en=TEMPLATE_DIR / "labels.en.yaml",
        labels_zh=TEMPLATE_DIR / "labels.zh.yaml",
        code=library_code(
            "report", "coding", "mechanisms", "stats", "ingest", "memos.py"
        ),
    output:
        f"{REPORT}_evidence.html",
    log:
        "logs/report/evidence.log",
    priority: 20
    conda:
        "../envs/gtflow.yaml"
    params:
        config=config,
    script:
        "../../scripts/report_evidence.py"
