# Reliability: agreement between human coders on segment units, per concept and overall.


rule reliability:
    input:
        codings="results/code/codings.parquet",
        segments="results/clean/segments.parquet",
        code=library_code("stats", "coding"),
    output:
        agreement=report(
            "results/reliability/agreement.csv",
            caption="../report/agreement.rst",
            category="Tables",
        ),
        disagreements="results/reliability/disagreements.csv",
        summary="results/reliability/summary.json",
    log:
        "logs/reliability/reliability.log",
    priority: 10
    conda:
        "../envs/gtflow.yaml"
    params:
        coders=config["reliability"]["coders"],
        documents=config["reliability"]["documents"],
        bootstrap=config["reliability"]["bootstrap"],
        min_positive_units=config["reliability"]["min_positive_units"],
        coverage=config["code"]["coverage"],
        seed=config["seed"],
    script:
        "../../scripts/reliability.py"
