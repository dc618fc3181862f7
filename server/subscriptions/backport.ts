/**
 * subscriptions/ owns topic-based Subscriptions as the Subscriptions R5 Backport IG represents them in R4:
 * topics, parsing Subscription resources, recording events in the writing transaction, delivery
 * (rest-hook through the job runner, websocket), and the notification Bundles. It uses the store interface only.
 *
 * This file: the IG's canonical URLs and codes in one place.
 */
export const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport';
const sd = (name: string): string => `${BACKPORT}/StructureDefinition/${name}`;

export const BACKPORT_SUBSCRIPTION_PROFILE = sd('backport-subscription');
export const BACKPORT_STATUS_PROFILE = sd('backport-subscription-status-r4');
export const BACKPORT_NOTIFICATION_PROFILE = sd('backport-subscription-notification-r4');
/** The R4 server CapabilityStatement of the IG: what a conformant server instantiates. */
export const BACKPORT_SERVER_CAPABILITY = `${BACKPORT}/CapabilityStatement/backport-subscription-server-r4`;
export const EXT = {
  filterCriteria: sd('backport-filter-criteria'),
  payloadContent: sd('backport-payload-content'),
  heartbeatPeriod: sd('backport-heartbeat-period'),
  timeout: sd('backport-timeout'),
  maxCount: sd('backport-max-count'),
  channelType: sd('backport-channel-type'),
  topic: sd('capabilitystatement-subscriptiontopic-canonical'),
} as const;

/** R5 cross-version extensions: how an R4 Basic carries a SubscriptionTopic. */
export const TOPIC_EXT = (element: string): string => `http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic.${element}`;

export const CHANNEL_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/subscription-channel-type';
export const NOTIFICATION_TYPES = ['handshake', 'heartbeat', 'event-notification', 'query-status', 'query-event'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
export const PAYLOAD_CONTENTS = ['empty', 'id-only', 'full-resource'] as const;
export type PayloadContent = (typeof PAYLOAD_CONTENTS)[number];
