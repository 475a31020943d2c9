-- A patient's own codes, and the patients of reference rows.
--
-- "This patient's observations with this LOINC code" (a chart, a lab
-- trend, a worklist of active conditions) was answered by probing every
-- resource of the patient for the code: hundreds of probes per request.
-- idx_token_patient_code makes it one range. It leads with patient_hash, so a
-- write's token rows land together, on the page of their patient.
CREATE INDEX idx_token_patient_code ON idx_token (patient_hash, any_code_hash, code_hash)
    WHERE patient_hash IS NOT NULL;

-- The same search driven by that index must still find a resource that
-- refers to the patient while its own patient key is another one (a rare
-- shape): with patient_hash in the reference index, those are read from
-- the index alone, never by probing each referrer.
DROP INDEX idx_reference_target;
CREATE INDEX idx_reference_target ON idx_reference (target_id, target_type, param_hash, patient_hash);
