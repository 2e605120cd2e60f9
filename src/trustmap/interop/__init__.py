"""Exchange models with other tools, and check them against the infrastructure code.

- `otm/`: an analysed model -> an OTM 0.2.0 document (`exporter`; `layout` places its
  diagram), and an OTM document (JSON or YAML, leniently read) -> a draft model (`reader`,
  `importer`, `values`, with the type table `models/otm.yaml` in `table`);
- `cloudformation/`: a CloudFormation template (YAML with short-form tags, or JSON) -> a draft
  model (`reader`, `network`, `importer`), through the mapping table
  `models/cloudformation.yaml`;
- `terraform/`: `terraform show -json` output (`plan`) or .tf files (`hcl`, `expressions`) ->
  a draft model (`network`, `importer`), through `models/terraform.yaml`;
- `threat_composer`, `threat_dragon`: an analysed model -> a Threat Composer workspace or a
  Threat Dragon v2 model (`picture` draws the workspace's image);
- `verify`: a model against the code that deploys it (`code_input` imports any kind of code);
- shared by the importers of infrastructure code: the mapping-table schema and loader
  (`mapping`), property paths (`paths`), the resources and the questions asked of them
  (`resources`), the network facts (`network`), the build of a draft from them (`build`,
  `flows`, `draft`);
- `model_writer`: a draft -> the commented YAML of a trustmap model; `names`: ids.

Everything here is pure except `layout.compute_layout`, which may run Graphviz, and the
readers of nested stacks and .tf folders, which read the files next to their input. The import
diagnostics use the E4xx/W4xx range (positioned like every other diagnostic):

- E401 a template without `Resources`; E402 a resource without `Type` (or with non-mapping
  `Properties`); E403 an unknown short-form tag; E404 no resource maps to a component;
- E420 no .tf file; E421 a .tf file that cannot be read; E422 JSON that is not
  `terraform show -json` output;
- E410 not an OTM document; E411 an OTM section that is not a list; E412 no OTM element can
  become a component;
- W401 a nested stack was not imported; W402 a resource type the mapping table does not know
  (at the resource's own file, line and column: `resources.Template.places`); W403 a Rain tag
  (a Rain module left out, or a Rain value not read);
- W411 an OTM element was skipped (not a mapping, no id); W412 an OTM dataflow was skipped;
- W421 a Terraform module was not read (a remote source, or a folder that cannot be read); W422 a
  Terraform variable file sets a variable no `variable` block declares.
"""
