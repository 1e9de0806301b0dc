# Saturation: accumulation curves, Guest et al. runs, Francis stopping, Chao2, holdout test.


rule saturation:
    input:
        codings="results/code/codings.parquet",
        documents="results/clean/documents.parquet",
        codebook="config/codebook.yaml",
        model="config/model.yaml",
        code=library_code("stats", "coding"),
    output:
        curves="results/saturation/curves.csv",
        holdout="results/saturation/holdout.csv",
        summary="results/saturation/summary.json",
    log:
        "logs/saturation/saturation.log",
    conda:
        "../envs/gtflow.yaml"
    params:
        settings=config["saturation"],
        seed=config["seed"],
    script:
        "../../scripts/saturation.py"
