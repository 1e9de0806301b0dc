# Saturation: accumulation curves, Guest et al. runs and sensitivity, Francis stopping, Chao2,
# holdout test against random holdouts; on the codings of saturation.coders.


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
        reference="results/saturation/holdout_reference.csv",
        sensitivity="results/saturation/guest_sensitivity.csv",
        summary="results/saturation/summary.json",
    log:
        "logs/saturation/saturation.log",
    priority: 10
    conda:
        "../envs/gtflow.yaml"
    params:
        settings=config["saturation"],
        coverage=config["code"]["coverage"],
        seed=config["seed"],
    script:
        "../../scripts/saturation.py"
