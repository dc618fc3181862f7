/** Codes for concepts and attributes from mappings/ only — shared by every engine, so no engine can invent a code. */
import type { AttributeValue, Code, FigoStage, VariantValue } from './finding';
import type { ConceptDef, NlpMappings } from './mappings';

export class ConceptCoder {
  private readonly systems: Record<string, string>;

  constructor(private readonly m: NlpMappings) {
    this.systems = m.concepts.systems;
  }

  isCondition(concept: string): boolean {
    return concept in this.m.concepts.conditions;
  }

  isObservation(concept: string): boolean {
    return concept in this.m.concepts.observations;
  }

  display(concept: string): string | undefined {
    return (this.m.concepts.conditions[concept] ?? this.m.concepts.observations[concept])?.display;
  }

  /**
   * The concept's display is the term of its preferred SNOMED CT / LOINC code only. ICD-10-CM codes have their
   * own official titles ("Malignant neoplasm of unspecified ovary") that mappings/ does not carry, so no
   * display is claimed for them (a wrong display fails terminology validation; a missing one does not).
   */
  private codes(def: ConceptDef, key: 'snomed' | 'icd10cm' | 'loinc' | 'snomed_code', system: string, preferred?: string): Code[] {
    const list = def[key] ?? [];
    const code = preferred && list.includes(preferred) ? preferred : list[0];
    if (!code) return [];
    return [{ system, code, ...(code === list[0] && key !== 'icd10cm' ? { display: def.display } : {}) }];
  }

  /** SNOMED CT (first listed) and ICD-10-CM (the laterality-specific code when known and listed). */
  conditionCodes(concept: string, laterality?: string): Code[] {
    const def = this.m.concepts.conditions[concept];
    if (!def) return [];
    const lateral = laterality ? this.m.coding.lateralityIcd10[concept]?.[laterality] : undefined;
    return [...this.codes(def, 'snomed', this.systems.snomed), ...this.codes(def, 'icd10cm', this.systems.icd10cm, lateral)];
  }

  /** LOINC (first listed); FIGO stage has no LOINC and carries its SNOMED CT staging code. */
  observationCodes(concept: string): Code[] {
    const def = this.m.concepts.observations[concept];
    if (!def) return [];
    const loinc = this.codes(def, 'loinc', this.systems.loinc);
    return loinc.length ? loinc : this.codes(def, 'snomed_code', this.systems.snomed);
  }

  preferredUnit(concept: string): string | undefined {
    return this.m.units.observations[concept]?.unit ?? this.m.concepts.observations[concept]?.unit;
  }

  histology(key: string): AttributeValue | undefined {
    const h = this.m.concepts.attributes.histology;
    const v = h.values[key];
    if (!v) return undefined;
    return { key, code: { system: this.systems[h.system], code: v.code, version: this.m.coding.histologyCodingVersion, display: key.replace(/_/g, ' ') } };
  }

  laterality(key: string): AttributeValue | undefined {
    const l = this.m.concepts.attributes.laterality;
    const v = l.values[key];
    return v ? { key, code: { system: this.systems[l.system], code: v.code, display: key } } : undefined;
  }

  figo(stage: string): AttributeValue | undefined {
    const code = this.figoCode(stage);
    return code ? { key: stage, code } : undefined;
  }

  figoCode(stage: string): Code | undefined {
    const f = this.m.concepts.attributes.figo_values;
    const code = f.values[stage];
    return code ? { system: this.systems[f.system], code, display: `FIGO stage ${stage}` } : undefined;
  }

  knownFigoStages(): Set<FigoStage> {
    return new Set(Object.keys(this.m.concepts.attributes.figo_values.values) as FigoStage[]);
  }

  variantAnswer(value: VariantValue): Code {
    return { ...this.m.coding.variantAnswers[value] };
  }

  /** The gene a variant observation studies (HGNC). */
  gene(concept: string): AttributeValue | undefined {
    const hgnc = this.m.concepts.observations[concept]?.gene;
    const symbol = concept.split('_')[0].toUpperCase();
    return hgnc ? { key: symbol, code: { system: this.systems.hgnc, code: hgnc, display: symbol } } : undefined;
  }

  relationship(roleCode: string): AttributeValue {
    const display = this.m.coding.relationships[roleCode];
    return { key: roleCode, code: { system: this.m.coding.relationshipSystem, code: roleCode, ...(display ? { display } : {}) } };
  }
}
