import type { INodeType } from 'n8n-workflow';

import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';

/** Every node of the package, as n8n would load it. Extended as nodes are added. */
export const PACKAGE_NODES: INodeType[] = [new InvoicExpress()];
