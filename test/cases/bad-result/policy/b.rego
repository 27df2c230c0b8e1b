package boolean_rule

deny if true
