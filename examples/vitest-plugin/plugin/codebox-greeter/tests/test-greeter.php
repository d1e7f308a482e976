<?php
/**
 * Unit tests of Codebox Greeter, run inside the sandbox by `wordpress.phpunit` (see test/phpunit.test.ts).
 */
class Test_Codebox_Greeter extends WP_UnitTestCase {

	public function test_the_greeting_uses_the_salutation_option() {
		update_option( 'codebox_greeter_salutation', 'Hi' );
		$this->assertSame( 'Hi, Ada!', codebox_greeter_greeting( 'Ada' ) );
	}

	public function test_an_empty_name_greets_the_world() {
		update_option( 'codebox_greeter_salutation', 'Hello' );
		$this->assertSame( 'Hello, world!', codebox_greeter_greeting( '   ' ) );
	}

	public function test_activation_records_its_version() {
		delete_option( 'codebox_greeter_version' );
		codebox_greeter_activate();
		$this->assertSame( '1.0.0', get_option( 'codebox_greeter_version' ) );
	}

	public function test_publishing_a_post_records_its_title() {
		self::factory()->post->create( array( 'post_title' => 'From PHPUnit', 'post_status' => 'publish' ) );
		$this->assertSame( 'From PHPUnit', get_option( 'codebox_greeter_last_published' ) );
	}

	public function test_the_rest_route_answers_with_the_greeting() {
		update_option( 'codebox_greeter_salutation', 'Howdy' );
		$request = new WP_REST_Request( 'GET', '/codebox-greeter/v1/greeting' );
		$request->set_param( 'name', 'Grace' );
		$response = rest_do_request( $request );
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( array( 'greeting' => 'Howdy, Grace!' ), $response->get_data() );
	}
}
