/** A custom SearchParameter (city of birth from the core birthPlace extension) and patients it indexes. */
const BIRTHPLACE = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

export const birthplaceParam = {
  resourceType: 'SearchParameter', url: 'https://acme.org/fhir/SearchParameter/patient-birthplace', name: 'birthplace', status: 'active',
  description: 'City of birth', code: 'birthplace', base: ['Patient'], type: 'string',
  expression: `Patient.extension.where(url='${BIRTHPLACE}').value.city`,
};

export const bornIn = (city: string, extra: object = {}): object => ({
  resourceType: 'Patient', extension: [{ url: BIRTHPLACE, valueAddress: { city, country: 'DE' } }], ...extra,
});

export const birthplaceExpression = (field: string): string => `Patient.extension.where(url='${BIRTHPLACE}').value.${field}`;
