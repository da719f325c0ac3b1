import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class EPagesApi implements ICredentialType {
	name = 'ePagesApi';

	displayName = 'ePages API';

	icon: Icon = { light: 'file:../icons/epages.svg', dark: 'file:../icons/epages.dark.svg' };

	documentationUrl = 'https://developer.epages.com/apps/create-custom-app/';

	properties: INodeProperties[] = [
		{
			displayName: 'API URL',
			name: 'apiUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://www.example.com/rs/shops/MyShop',
			description:
				'The API URL shown on your private app in the ePages Now administration (Apps → Private apps; private apps exist only on ePages Now). It ends in /rs/shops/ followed by your shop ID.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The access token generated for the private app. Give the app the scopes orders_read, orders_write (to write back invoice data), customers_read and products_read.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
				Accept: 'application/vnd.epages.v1+json',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiUrl.trim().replace(/\\/+$/, "")}}',
			url: '',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'ePages refused the access token: copy it again from the private app',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The access token lacks a scope: the shop information needs products_read; orders need orders_read and orders_write',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'No ePages shop answers at this API URL: copy the API URL of the private app (it ends in /rs/shops/<shop ID>)',
				},
			},
		],
	};
}
