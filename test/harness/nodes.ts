import type { INodeType } from 'n8n-workflow';

import { EPages } from '../../nodes/EPages/EPages.node';
import { EPagesBeyondTrigger } from '../../nodes/EPages/EPagesBeyondTrigger.node';
import { EPagesTrigger } from '../../nodes/EPages/EPagesTrigger.node';
import { InvoicExpress } from '../../nodes/InvoicExpress/InvoicExpress.node';

/** Every node of the package, as n8n would load it. Extended as nodes are added. */
export const PACKAGE_NODES: INodeType[] = [new InvoicExpress(), new EPages(), new EPagesTrigger(), new EPagesBeyondTrigger()];
