# Mechanisms: case matrices, co-occurrence, model evidence, exemplar quotes, recommendations.
# Priorities: the report's chain (mechanisms and the rule validity it reads 30; the report's
# context, .qmd, .html and PDF 25, one after another; the evidence page, which nothing waits for,
# 20; the other tables the report reads 10) is scheduled before the exports, which then run
# beside it; with the exports first, a 1M-post study waited minutes for this, its longest job.


rule mechanisms:
    input:
        codings="results/code/codings.parquet",
        documents="results/clean/documents.parquet",
        segments="results/clean/segments.parquet",
        texts="results/clean/text/index.parquet",
        codebook="config/codebook.yaml",
        model="config/model.yaml",
        validity="results/code/validity.csv",
        code=library_code("mechanisms", "coding", "clean"),
    output:
        case_main="results/mechanisms/case_by_main_category.csv",
        case_category="results/mechanisms/case_by_category.csv",
        cooccurrence="results/mechanisms/cooccurrence.csv",
        nodes="results/mechanisms/nodes.csv",
        edges=report(
            "results/mechanisms/edges.csv",
            caption="../report/edges.rst",
            category="Tables",
        ),
        quotes="results/mechanisms/quotes.csv",
        concept_quotes="results/mechanisms/concept_quotes.csv",
        negative_cases="results/mechanisms/negative_cases.csv",
        evidence="results/tables/evidence.csv",
        recommendations=report(
            "results/mechanisms/recommendations.csv",
            caption="../report/recommendations.rst",
            category="Tables",
        ),
        summary="results/mechanisms/summary.json",
    log:
        "logs/mechanisms/mechanisms.log",
    priority: 30
    conda:
        "../envs/gtflow.yaml"
    params:
        settings=config["mechanisms"],
    script:
        "../../scripts/mechanisms.py"
